import type { Division } from '@govstats/divisions';
import { quoteString } from './ddl-options.ts';
import type { Migration } from './migration.ts';

/** Loads the division catalogue; repeatable, so an edited catalogue reaches the table on the next migrate. */
export function divisionSeedMigration(divisions: readonly Division[]): Migration {
  const values = divisions
    .map((d) => `(${[d.code, d.name, d.shortName, d.level, d.parentCode].map(quoteString).join(', ')})`)
    .join(',\n');
  return {
    id: 'divisions/seed',
    description: `division catalogue: ${divisions.length} places`,
    statements: [`INSERT INTO divisions (code, name, short_name, level, parent_code) VALUES\n${values}`],
    repeatable: true,
  };
}
