export { createIngestService, ingestTopics, type IngestService, type IngestStats } from './ingest-service.ts';
export { decodeMessage, type Decoded } from './decode-message.ts';
