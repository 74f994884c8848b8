export { toEnvelope, chinaTime, type EventRecord } from './envelope.ts';
export { createEventProducer, type EventProducer } from './event-producer.ts';
export { publishFile, type PublishReport } from './publish-file.ts';
export { routeLine } from './route.ts';
export { generateSample, emptySampleCounts, chinaMidnight, type SampleOptions, type SampleCounts } from './sample/generate-sample.ts';
export { sampleVillage } from './sample/sample-villages.ts';
