export { SINGLE_NODE, STATS_TIMEZONE, type DdlOptions } from './schema/ddl-options.ts';
export type { Migration } from './schema/migration.ts';
export { allMigrations } from './schema/migrations.ts';
export { migrate, type MigrationOutcome } from './schema/migrate.ts';
export { viewName } from './schema/event-type-tables.ts';
export { measureNames } from './schema/measure-sql.ts';
export { queryRollup, queryPlaceFigures, codeMatchesLevel, placeName, type RollupFilter, type RollupRow } from './queries/rollup-query.ts';
export { listDeadLetters, deadLetterSummary, type DeadLetter, type DeadLetterSummaryRow } from './queries/dead-letter-query.ts';
export { countLateArrivals, countDeadLettered, silentVillages, type PeriodWindow } from './queries/data-quality.ts';
