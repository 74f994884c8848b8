import { EVENT_TYPES, type EventTypeDefinition } from '@govstats/schemas';
import { clusterLayout } from './cluster-layout.ts';
import { clusterStatements } from './cluster-statements.ts';
import type { DdlOptions } from './ddl-options.ts';
import type { Migration } from './migration.ts';

/**
 * The migrations as a cluster runs them: the same ids and order, each statement placed by the
 * cluster layout (shard-local + Distributed, or kept on every node). A transform over the
 * rendered statements rather than options threaded through every migration, so the single-node
 * text (what applied migrations' checksums were taken of) cannot change. The cluster text is
 * checksummed the same way once a cluster has applied it: packages/warehouse/test/golden pins it.
 */
export function clusterMigrations(
  migrations: Migration[],
  options: DdlOptions,
  types: readonly EventTypeDefinition[] = EVENT_TYPES,
): Migration[] {
  const layout = clusterLayout(options, types);
  return migrations.map((migration) => {
    try {
      return { ...migration, statements: migration.statements.flatMap((statement) => clusterStatements(statement, layout)) };
    } catch (error) {
      throw new Error(`migration ${migration.id}: ${(error as Error).message}`, { cause: error });
    }
  });
}
