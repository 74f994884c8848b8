import { parseArgs } from 'node:util';
import { isCalendarDate } from '@govstats/schemas';
import { reconcile } from '@govstats/warehouse';
import { renderTable } from '../output/table.ts';
import { UsageError, config, withStore } from '../runtime.ts';

export const usage = `govstats reconcile --from YYYY-MM-DD --to YYYY-MM-DD [--json]
  Recomputes every rollup of the period from the raw tables (each event id once) and reports every
  figure where the materialized rollups differ: the daily rollup, and the month and year totals of
  every month and year the period touches. Exit code 1 when there is a difference.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } });
  for (const [flag, value] of [
    ['--from', values.from],
    ['--to', values.to],
  ] as const) {
    if (!value || !isCalendarDate(value)) throw new UsageError(`${flag} must be a date YYYY-MM-DD\n${usage}`);
  }
  const differences = await withStore(config(), (store) => reconcile(store, { from: values.from!, to: values.to! }));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ differences: differences.length, details: differences }, null, 2)}\n`);
  } else if (differences.length === 0) {
    process.stdout.write(`rollups match the raw tables for ${values.from} – ${values.to}: no difference\n`);
  } else {
    const rows = differences
      .slice(0, 200)
      .map((d) => [d.eventType, d.grain, d.level, d.code, d.day, Object.values(d.dimensions).join('/'), d.measure, d.fromRaw, d.inRollup]);
    process.stdout.write(
      `${differences.length} differences\n${renderTable(['type', 'grain', 'level', 'code', 'day', 'dims', 'measure', 'from raw', 'in rollup'], rows)}\n`,
    );
  }
  return differences.length === 0 ? 0 : 1;
}
