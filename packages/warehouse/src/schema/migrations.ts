import { EVENT_TYPES } from '@govstats/schemas';
import { coreMigrations } from './core-tables.ts';
import type { DdlOptions } from './ddl-options.ts';
import { eventTypeMigrations } from './event-type-tables.ts';
import type { Migration } from './migration.ts';

/** The whole schema, in the order it must be applied. */
export function allMigrations(options: DdlOptions): Migration[] {
  return [...coreMigrations(options), ...EVENT_TYPES.flatMap((type) => eventTypeMigrations(type, options))];
}
