import { parseArgs } from 'node:util';
import type { Config } from '@govstats/config';
import { REPLAY_HEADER, contentMode } from '@govstats/ingest';
import { createKafkaSink, type OutgoingMessage } from '@govstats/kafka';
import { routeAttributes, routeLine } from '@govstats/producer';
import { parseChinaTime } from '@govstats/schemas';
import { deadLetterSummary, listDeadLetters, openDeadLetters, type OpenDeadLetter } from '@govstats/warehouse';
import { renderTable } from '../output/table.ts';
import { terminalSafeJson, terminalText } from '../output/terminal-text.ts';
import { UsageError, config, connectKafka, createTopics, withStore } from '../runtime.ts';

export const usage = `govstats dlq [--json] [--reason REASON] [--limit N]
  Lists dead-lettered messages with the reason each was refused, newest first.
govstats dlq replay [--reason REASON] [--since TIME] [--dry-run]
  Sends the refused messages that are still open through ingest again, e.g. after the division
  catalogue or a contract was fixed: each goes to the topic its type belongs on, marked as a replay
  of the original. Events count once however often they are replayed; what is refused again stays
  open with one more attempt. --since TIME takes only messages last refused since then: a date or a
  time, China time unless it has an offset (2024-07-01, 2024-07-01T08:00, 2024-07-01T00:00:00Z).`;

export async function run(args: string[]): Promise<number> {
  if (args[0] === 'replay') return replay(args.slice(1));
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, reason: { type: 'string' }, limit: { type: 'string' } } });
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000');
  const { summary, deadLetters } = await withStore(config(), async (store) => ({
    summary: await deadLetterSummary(store),
    deadLetters: await listDeadLetters(store, { limit, reason: values.reason }),
  }));
  const total = summary.reduce((n, row) => n + row.count, 0);
  const resolved = summary.reduce((n, row) => n + row.resolved, 0);
  if (values.json) {
    // Reasons, details and payloads are a producer's bytes: no raw control character reaches stdout.
    process.stdout.write(`${terminalSafeJson({ total, resolved, summary, deadLetters })}\n`);
    return 0;
  }
  process.stdout.write(`${total} dead-lettered messages, ${resolved} of them since loaded by a replay\n\n`);
  process.stdout.write(
    `${renderTable(
      ['reason', 'topic', 'count', 'resolved'],
      summary.map((r) => [r.reason, r.topic, r.count, r.resolved]),
    )}\n`,
  );
  if (deadLetters.length > 0) {
    // renderTable makes every cell safe for the terminal; the excerpt is cut on code points, not halfway through a pair.
    const rows = deadLetters.map((d) => [`${d.topic}[${d.partition}]@${d.offset}`, d.reason, d.eventId || '–', excerpt(d.detail, 100)]);
    process.stdout.write(`\nlatest ${deadLetters.length}\n${renderTable(['message', 'reason', 'event id', 'detail'], rows)}\n`);
  }
  return 0;
}

async function replay(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { reason: { type: 'string' }, since: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
  const since = values.since === undefined ? undefined : parseChinaTime(values.since);
  if (values.since !== undefined && since === undefined)
    throw new UsageError(`--since must be a time such as 2024-07-01 or 2024-07-01T08:00:00+08:00 (got ${values.since})`);
  const cfg = config();
  const open = await withStore(cfg, (store) =>
    openDeadLetters(store, { reason: values.reason, since: since === undefined ? undefined : new Date(since).toISOString() }),
  );
  const byReason = new Map<string, number>();
  for (const d of open) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
  process.stdout.write(
    terminalText(
      `${open.length} open dead letters${values.reason ? ` refused as ${values.reason}` : ''}${values.since ? ` since ${values.since}` : ''}`,
    ) + '\n',
  );
  if (byReason.size > 0)
    process.stdout.write(
      `${renderTable(
        ['reason', 'messages'],
        [...byReason].map(([reason, n]) => [reason, n]),
      )}\n`,
    );
  if (values['dry-run'] || open.length === 0) {
    if (values['dry-run'] && open.length > 0) process.stdout.write('dry run: nothing sent\n');
    return 0;
  }
  const sent = await publishReplays(cfg, open);
  process.stdout.write(
    `${sent} messages sent through ingest again; \`govstats dlq\` shows what is still refused once ingest has read them\n`,
  );
  return 0;
}

/** The first `length` characters of `text` (code points), with … when cut. */
function excerpt(text: string, length: number): string {
  const chars = [...text];
  return chars.length <= length ? text : `${chars.slice(0, length).join('')}…`;
}

/** Each payload goes where its type belongs (a message once on the wrong topic now reaches the right one). */
export function replayMessages(cfg: Config, open: OpenDeadLetter[]): Map<string, OutgoingMessage[]> {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const d of open) {
    const value = Buffer.from(d.payloadBase64, 'base64');
    // A binary-mode event's attributes are its headers, sent again with it.
    const headers = d.bindingHeaders;
    const route =
      contentMode(headers['content-type'], headers['ce_specversion'] !== undefined) === 'binary'
        ? routeAttributes(headers['ce_type'], headers['ce_subject'], cfg.topics)
        : routeLine(value.toString('utf8'), cfg.topics);
    const message: OutgoingMessage = {
      key: d.key || route.key,
      value,
      headers: { ...headers, [REPLAY_HEADER]: `${d.origin.topic}/${d.origin.partition}/${d.origin.offset}` },
    };
    byTopic.set(route.topic, [...(byTopic.get(route.topic) ?? []), message]);
  }
  return byTopic;
}

export async function publishReplays(cfg: Config, open: OpenDeadLetter[]): Promise<number> {
  const kafka = await connectKafka(cfg);
  await createTopics(cfg, kafka);
  const sink = await createKafkaSink(kafka);
  try {
    let sent = 0;
    for (const [topic, messages] of replayMessages(cfg, open)) sent += await sink.send(topic, messages);
    return sent;
  } finally {
    await sink.close();
  }
}
