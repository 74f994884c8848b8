export { toEnvelope, type EventRecord } from './envelope.ts';
export { STRUCTURED_CONTENT_TYPE, publishFile, publishLines, type PublishReport, type PublishOptions } from './publish-file.ts';
export { routeAttributes, routeLine } from './route.ts';
export { loadScenario, scenarioSchema, TARGET_MEASURES, type Scenario, type Target } from './scenario/scenario-file.ts';
export { ScenarioConflict, targetLabel } from '@govstats/schemas';
export { prepareScenario, type PreparedScenario } from './scenario/generate-scenario.ts';
export { scenarioLines, emptyScenarioCounts, type ScenarioCounts } from './scenario/scenario-stream.ts';
