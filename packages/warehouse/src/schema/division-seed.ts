import type { Division } from '@govstats/divisions';
import { quoteString } from './ddl-options.ts';
import type { Migration } from './migration.ts';

/** Loads the division catalogue; repeatable, so an edited catalogue reaches the table on the next migrate. */
export function divisionSeedMigration(divisions: readonly Division[]): Migration {
  const statements: string[] = [];
  // Chunks keep each statement well under ClickHouse's 256 KiB max_query_size.
  for (let start = 0; start < divisions.length; start += ROWS_PER_STATEMENT) {
    const values = divisions
      .slice(start, start + ROWS_PER_STATEMENT)
      .map((d) => `(${[d.code, d.name, d.shortName, d.level, d.parentCode].map(quoteString).join(', ')})`)
      .join(',\n');
    statements.push(`INSERT INTO divisions (code, name, short_name, level, parent_code) VALUES\n${values}`);
  }
  return { id: 'divisions/seed', description: `division catalogue: ${divisions.length} places`, statements, repeatable: true };
}

const ROWS_PER_STATEMENT = 500;
