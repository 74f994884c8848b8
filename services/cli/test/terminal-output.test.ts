import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@govstats/config';
import { insertRows, openStore } from '@govstats/store';
import { SINGLE_NODE, setUpWarehouse } from '@govstats/warehouse';
import { renderTable } from '../src/output/table.ts';
import { terminalSafeJson, terminalText } from '../src/output/terminal-text.ts';
import { govstatsArgs } from '../../../test/support/govstats-process.ts';

/** Clear the screen, retitle the window, ring the bell; a C1 CSI; a CR that overwrites; a bidi override. */
const HOSTILE = '\u001b[2J\u001b]0;pwned\u0007 ok\u009b31m\rfake\u202eevil\u0008\u007f';
/** Whether the text holds anything a terminal would act on, LF aside (checked on its own). */
const hasRawControl = (text: string) =>
  [...text].some((char) => {
    const code = char.codePointAt(0)!;
    return (
      (code < 0x20 && code !== 0x0a) ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    );
  });

describe('text from events on the terminal', () => {
  it('shows control characters as visible escapes instead of sending them', () => {
    expect(terminalText(HOSTILE)).toBe('\\x1b[2J\\x1b]0;pwned\\x07 ok\\x9b31m\\x0dfake\\u202eevil\\x08\\x7f');
    expect(terminalText('line 1\nline 2\ttab')).toBe('line 1\\x0aline 2\\x09tab');
    expect(terminalText('line 1\nline 2', { keepNewlines: true })).toBe('line 1\nline 2');
    // Ordinary text, Chinese included, is untouched.
    expect(terminalText('三门峡市 走访巡查 {"a": "b\\\\"}')).toBe('三门峡市 走访巡查 {"a": "b\\\\"}');
  });

  it('keeps every table one line per row with no control character, whatever the cells hold', () => {
    const table = renderTable(
      ['reason', 'detail', 'count'],
      [
        ['contract_violation', HOSTILE, 1],
        ['unparseable', 'two\nlines\r\nand more', -3],
      ],
    );
    expect(hasRawControl(table)).toBe(false);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4); // header, rule, two rows: a newline in a cell makes no row of its own
    expect(lines[2]).toContain('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(lines[3]).toContain('two\\x0alines\\x0d\\x0aand more');
    expect(lines[3]).toMatch(/-3$/); // numbers are figures, printed as such
  });

  it('writes JSON that parses back to the same text but holds no raw control character', () => {
    const value = { detail: HOSTILE, nested: [{ id: 'e\u0085\u2066x' }] };
    const json = terminalSafeJson(value);
    expect(hasRawControl(json)).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('govstats dlq with a hostile dead letter', () => {
  const home = mkdtempSync(join(tmpdir(), 'govstats-dlq-terminal-'));
  const env = { ...process.env, GOVSTATS_HOME: home, KAFKA_BROKERS: '127.0.0.1:9', LOG_LEVEL: 'warn' };
  const cli = async (...args: string[]) =>
    (await promisify(execFile)(process.execPath, govstatsArgs(...args), { cwd: join(import.meta.dirname, '..', '..', '..'), env })).stdout;

  beforeAll(async () => {
    // A refused message as ingest records it, with a producer's bytes in every free-text field.
    const store = await openStore(loadConfig({ GOVSTATS_HOME: home }).clickhouse);
    try {
      await setUpWarehouse(store, SINGLE_NODE);
      await insertRows(store.client, 'dead_letters', [
        {
          dead_lettered_at: '2024-07-01T00:00:00.000Z',
          kafka_topic: 'govstats.grid-visit',
          kafka_partition: 0,
          kafka_offset: '7',
          kafka_key: `411224104201${HOSTILE}`,
          reason: 'contract_violation',
          detail: `/member_id: must be a string; got ${HOSTILE}`,
          event_id: `evt${HOSTILE}`,
          event_type: 'grid-visit',
          payload_base64: Buffer.from(`{"id": "evt${HOSTILE}"}`).toString('base64'),
          payload_bytes: 20,
          subject: '',
          origin_topic: 'govstats.grid-visit',
          origin_partition: 0,
          origin_offset: '7',
        },
      ]);
    } finally {
      await store.close();
    }
  });

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('prints the reason, id and detail with visible escapes and no raw control character', async () => {
    const out = await cli('dlq');
    expect(hasRawControl(out)).toBe(false);
    expect(out).toMatch(/^1 dead-lettered messages/);
    expect(out).toContain('evt\\x1b[2J\\x1b]0;pwned\\x07');
    expect(out).toContain('must be a string; got \\x1b[2J');
  });

  it('prints --json a program reads back exactly, still without raw control characters', async () => {
    const out = await cli('dlq', '--json');
    expect(hasRawControl(out)).toBe(false);
    const [letter] = (JSON.parse(out) as { deadLetters: { eventId: string; detail: string; key: string }[] }).deadLetters;
    expect(letter).toMatchObject({ eventId: `evt${HOSTILE}`, key: `411224104201${HOSTILE}` });
  });
});
