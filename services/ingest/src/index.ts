export { createIngestService, ingestTopics, type IngestService } from './ingest-service.ts';
export type { IngestStats } from './ingest-stats.ts';
export { decodeMessage, type Decoded } from './decode-message.ts';
export { IngestMetrics } from './metrics.ts';
export { startHealthServer, type HealthReport } from './health-server.ts';
export { REPLAY_HEADER } from './dead-letters.ts';
export { contentMode } from './cloudevents-binding.ts';
