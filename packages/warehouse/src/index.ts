export { SINGLE_NODE, type DdlOptions } from './schema/ddl-options.ts';
export type { Migration } from './schema/migration.ts';
export { allMigrations } from './schema/migrations.ts';
export { migrate, type MigrationOutcome } from './schema/migrate.ts';
export { viewName } from './schema/event-type-tables.ts';
export { measureNames } from './schema/measure-sql.ts';
export {
  queryRollup,
  queryPlaceFigures,
  queryPlaceFiguresFromRaw,
  codeMatchesLevel,
  placeName,
  type RollupFilter,
  type RollupRow,
} from './queries/rollup-query.ts';
export {
  listDeadLetters,
  deadLetterSummary,
  openDeadLetters,
  type DeadLetter,
  type DeadLetterSummaryRow,
  type OpenDeadLetter,
} from './queries/dead-letter-query.ts';
export { countLateArrivals, countDeadLettered, silentVillages, type PeriodWindow } from './queries/data-quality.ts';
export { reconcile, type RollupDifference } from './queries/reconcile.ts';
export { setUpWarehouse } from './set-up-warehouse.ts';
export { loadEdition, type CodeChangeRow, type EditionLoadResult, type EditionToLoad } from './catalogue/load-edition.ts';
export { catalogueVersion, currentCatalogue, loadPlaceIndex } from './catalogue/current-catalogue.ts';
export { divisionSubtree, searchDivisions, type PlaceRow, type SubtreeCounts } from './catalogue/division-queries.ts';
export { CURRENT_DIVISIONS, LATEST_DIVISIONS } from './catalogue/latest-divisions.ts';
export { pendingMigrations } from './schema/migrate.ts';
export { migrationLockHolder, withMigrationLock, type LockHolder } from './schema/migration-lock.ts';
export { CONSUMERS_SEE_LOCK_MS } from './set-up-warehouse.ts';
export { bookkeepingSettings, rawInsertSettings, settingsClause, settingsSql, type QuerySettings } from './schema/cluster-settings.ts';
export { EVENT_KEYS_TABLE, listedKeysSql } from './schema/event-keys.ts';
export { EVERY_NODE_TABLES, everyNodeClusterName, localTableName } from './schema/cluster-layout.ts';
export * from './access/index.ts';
