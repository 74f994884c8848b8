export { toEnvelope, chinaTime, type EventRecord } from './envelope.ts';
export { createEventProducer, type EventProducer } from './event-producer.ts';
export { publishFile, publishLines, type PublishReport, type PublishOptions } from './publish-file.ts';
export { routeLine } from './route.ts';
export { loadScenario, scenarioSchema, targetLabel, TARGET_MEASURES, type Scenario, type Target } from './scenario/scenario-file.ts';
export { ScenarioConflict } from './scenario/allocate.ts';
export { prepareScenario, type PreparedScenario } from './scenario/generate-scenario.ts';
export { scenarioLines, emptyScenarioCounts, type ScenarioCounts } from './scenario/scenario-stream.ts';
