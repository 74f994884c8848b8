import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { clusterMigrations } from './cluster-migrations.ts';
import { coreMigrations } from './core-tables.ts';
import type { DdlOptions } from './ddl-options.ts';
import { eventTypeMigrations } from './event-type-tables.ts';
import type { Migration } from './migration.ts';

/** The whole schema, in the order it must be applied; on a cluster, placed by the cluster layout. */
export function allMigrations(options: DdlOptions, types: readonly EventTypeDefinition[] = EVENT_TYPES): Migration[] {
  const migrations = [...coreMigrations(options), ...types.flatMap((type) => eventTypeMigrations(type, options))];
  return options.cluster ? clusterMigrations(migrations, options, types) : migrations;
}
