import { parseArgs } from 'node:util';
import { deadLetterSummary, listDeadLetters } from '@govstats/warehouse';
import { renderTable } from '../output/table.ts';
import { UsageError, config, withStore } from '../runtime.ts';

export const usage = `govstats dlq [--json] [--reason REASON] [--limit N]
  Lists dead-lettered messages with the reason each was refused, newest first.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, reason: { type: 'string' }, limit: { type: 'string' } } });
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000');
  const { summary, deadLetters } = await withStore(config(), async (store) => ({
    summary: await deadLetterSummary(store),
    deadLetters: await listDeadLetters(store, { limit, reason: values.reason }),
  }));
  const total = summary.reduce((n, row) => n + row.count, 0);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ total, summary, deadLetters }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${total} dead-lettered messages\n\n${renderTable(['reason', 'topic', 'count'], summary.map((r) => [r.reason, r.topic, r.count]))}\n`);
  if (deadLetters.length > 0) {
    const rows = deadLetters.map((d) => [`${d.topic}[${d.partition}]@${d.offset}`, d.reason, d.eventId || '–', d.detail.slice(0, 100)]);
    process.stdout.write(`\nlatest ${deadLetters.length}\n${renderTable(['message', 'reason', 'event id', 'detail'], rows)}\n`);
  }
  return 0;
}
