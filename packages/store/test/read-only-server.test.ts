import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@govstats/log';
import { openStore, runCommand, startReadOnlyServer, type Store } from '../src/index.ts';
import { cityHash128 } from '../src/http/city-hash.ts';

const PASSWORD = 'correct horse battery';
const AUTHORIZATION = `Basic ${Buffer.from(`reader:${PASSWORD}`).toString('base64')}`;

/** The rows inside an answer in ClickHouse's compressed blocks, each block's checksum checked. */
function readCompressedBlocks(answer: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < answer.length;) {
    const size = answer.readUInt32LE(at + 17);
    const [low, high] = cityHash128(answer.subarray(at + 16, at + 16 + size));
    expect([answer.readBigUInt64LE(at), answer.readBigUInt64LE(at + 8)]).toEqual([low, high]);
    expect(answer[at + 16]).toBe(0x82);
    // One LZ4 sequence of literals: the token, its length bytes, then the rows.
    const lz4 = answer.subarray(at + 25, at + 16 + size);
    let skip = 1;
    if (lz4[0]! >> 4 === 15) while (lz4[skip++] === 255);
    parts.push(lz4.subarray(skip));
    at += 16 + size;
  }
  return Buffer.concat(parts);
}

describe('the read-only endpoint for people and BI tools (real engine)', () => {
  let dir: string;
  let store: Store;
  let server: Server;
  let url: string;
  let reader: ClickHouseClient;

  const ask = async (sql: string, password = PASSWORD) => {
    const response = await fetch(url, {
      method: 'POST',
      body: sql,
      headers: { authorization: `Basic ${Buffer.from(`reader:${password}`).toString('base64')}` },
    });
    return { status: response.status, body: await response.text() };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-serve-'));
    store = await openStore({ dataDir: join(dir, 'chdb') });
    await runCommand(store.client, 'CREATE TABLE raw_secret (code String, n UInt32) ENGINE = MergeTree ORDER BY code');
    await runCommand(store.client, "INSERT INTO raw_secret SELECT concat('4112', toString(number)), number FROM numbers(10)");
    await runCommand(store.client, 'CREATE VIEW figures_daily AS SELECT code, n FROM raw_secret');
    ({ server, url } = await startReadOnlyServer({
      client: store.client,
      host: '127.0.0.1',
      port: 0,
      user: 'reader',
      password: PASSWORD,
      maxRows: 5,
      maxSeconds: 1,
      scope: { database: 'default', views: new Set(['figures_daily']) },
      logger: createLogger('serve-test'),
    }));
    reader = createClient({ url, username: 'reader', password: PASSWORD });
  });

  afterAll(async () => {
    await reader.close();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong or missing password', async () => {
    expect((await ask('SELECT 1', 'wrong password!')).status).toBe(401);
    const none = await fetch(url, { method: 'POST', body: 'SELECT 1' });
    expect(none.status).toBe(401);
  });

  it('answers a SELECT on a readable view, to a ClickHouse client as to any HTTP client', async () => {
    const rows = await (
      await reader.query({ query: 'SELECT code, n FROM figures_daily WHERE n < 3 ORDER BY n', format: 'JSONEachRow' })
    ).json();
    expect(rows).toEqual([
      { code: '41120', n: 0 },
      { code: '41121', n: 1 },
      { code: '41122', n: 2 },
    ]);
    expect(await ask('SELECT count() FROM default.figures_daily')).toEqual({ status: 200, body: '10\n' });
  });

  it.each([
    ['SELECT * FROM raw_secret', /raw_secret is not one of the readable views/],
    ['SELECT * FROM figures_daily WHERE code IN raw_secret', /raw_secret is not one of the readable views/],
    ['SELECT * FROM figures_daily JOIN (SELECT code FROM raw_secret) USING code', /raw_secret/],
    ['SELECT * FROM other.figures_daily', /other.figures_daily is not one of the readable views/],
    ["SELECT * FROM merge('default', 'raw')", /table functions \(merge\)/],
    ['SELECT * FROM numbers(10)', /table functions \(numbers\)/],
    ["SELECT file('/etc/passwd')", /file\(\) is not allowed/],
    ['WITH raw_secret AS (SELECT 1) SELECT * FROM raw_secret', /WITH … AS \(subquery\) is not allowed/],
    ['SELECT * FROM figures_daily SETTINGS max_result_rows = 0', /SETTINGS clause is not allowed/],
    ['INSERT INTO raw_secret VALUES (1, 1)', /INSERT is not allowed here: this endpoint answers SELECT/],
    ['DROP TABLE raw_secret', /DROP is not allowed here/],
    // Found by a review on the real engine (each ran before):
    ['SHOW TABLES LIMIT (SELECT count() FROM raw_secret)', /SHOW TABLES is not allowed/],
    ["SELECT * APPLY(x -> file('/etc/passwd')) FROM system.one", /APPLY is not allowed/],
    ['SELECT * APPLY(x -> (SELECT groupArray(n) FROM raw_secret)) FROM figures_daily LIMIT 1', /APPLY is not allowed/],
  ])('refuses %s', async (sql, reason) => {
    const answer = await ask(sql);
    expect(answer.status, answer.body).toBe(403);
    expect(answer.body).toMatch(reason);
  });

  it('answers what the JDBC driver asks for: the format and database in headers, compressed blocks, the time zone', async () => {
    const response = await fetch(`${url}/?query_id=q1&compress=1&wait_end_of_query=1`, {
      method: 'POST',
      body: 'SELECT code, n FROM figures_daily WHERE n < 2 ORDER BY n',
      headers: { authorization: AUTHORIZATION, 'x-clickhouse-format': 'JSONEachRow', 'x-clickhouse-database': 'default' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-clickhouse-timezone')).toMatch(/\w/);
    const rows = readCompressedBlocks(Buffer.from(await response.arrayBuffer())).toString('utf8');
    expect(rows).toBe('{"code":"41120","n":0}\n{"code":"41121","n":1}\n');
    // What the driver reads: RowBinary with a header of column names and types.
    const binary = await fetch(`${url}/?default_format=RowBinaryWithNamesAndTypes&compress=0`, {
      method: 'POST',
      body: 'SELECT code FROM figures_daily WHERE n = 0',
      headers: { authorization: AUTHORIZATION },
    });
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from('\x01\x04code\x06String\x0541120', 'latin1'));
  });

  it('shows the reader a catalogue of the readable views only, however it is read', async () => {
    expect(await ask("SELECT name FROM system.tables WHERE database = 'default' ORDER BY name")).toEqual({
      status: 200,
      body: 'figures_daily\n',
    });
    expect(await ask("SELECT DISTINCT table FROM system.columns WHERE database = 'default'")).toEqual({
      status: 200,
      body: 'figures_daily\n',
    });
    expect(await ask("SELECT count() FROM system.columns WHERE table = 'raw_secret'")).toEqual({ status: 200, body: '0\n' });
    expect(await ask('SELECT name FROM system.databases ORDER BY name')).toEqual({ status: 200, body: 'default\nsystem\n' });
    expect(
      await ask(
        "SELECT t.name FROM (SELECT * FROM system.tables) AS t JOIN system.databases AS d ON t.database = d.name WHERE d.name = 'default'",
      ),
    ).toEqual({ status: 200, body: 'figures_daily\n' });
    expect((await ask('DESCRIBE figures_daily')).body).toMatch(/^code\tString\t/);
    // The catalogue tables themselves stay listed, so a tool can browse them too.
    expect(await ask("SELECT count() > 0 FROM system.tables WHERE database = 'system' AND name = 'columns'")).toEqual({
      status: 200,
      body: '1\n',
    });
  });

  it.each([
    ['database=other', {}, /the database here is default, not "other"/],
    ['', { 'x-clickhouse-database': 'system' }, /the database here is default, not "system"/],
    ['decompress=1', {}, /compressed request body is not accepted/],
    ['compress=2', {}, /compress is 0 or 1/],
    ['default_format=JSON%20SETTINGS%20x%3D1', {}, /is not the name of a format/],
    ['', { 'x-clickhouse-format': 'Template' + "'" }, /is not the name of a format/],
    ['max_result_rows=0', {}, /the setting max_result_rows cannot be given in the URL/],
    ['readonly=0', {}, /the setting readonly cannot be given in the URL/],
  ])('refuses the URL parameters %s and headers %j that would change names, the body or the limits', async (search, headers, reason) => {
    const response = await fetch(`${url}/?${search}`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization: AUTHORIZATION, ...headers },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(reason);
  });

  it("reads a parameter's value as ClickHouse does: escaped text, a\\'b meaning a'b", async () => {
    const response = await fetch(`${url}/?param_s=${encodeURIComponent("a\\'b\\\\c\\td")}&default_format=JSONEachRow`, {
      method: 'POST',
      body: 'SELECT {s:String} AS s, length({s:String}) AS n',
      headers: { authorization: AUTHORIZATION },
    });
    expect(await response.json()).toEqual({ s: "a'b\\c\td", n: 7 });
  });

  it('checks a table named by a parameter each time, whatever the statement looks like', async () => {
    const sql = 'SELECT count() FROM {t:/* x */Identifier}';
    const asked = async (table: string) => {
      const response = await fetch(`${url}/?param_t=${table}`, {
        method: 'POST',
        body: sql,
        headers: { authorization: `Basic ${Buffer.from(`reader:${PASSWORD}`).toString('base64')}` },
      });
      return { status: response.status, body: await response.text() };
    };
    expect(await asked('figures_daily')).toEqual({ status: 200, body: '10\n' });
    const other = await asked('raw_secret');
    expect(other.status).toBe(403);
    expect(other.body).toMatch(/raw_secret is not one of the readable views/);
  });

  it('holds DESCRIBE to the time limit too: a scalar subquery in it runs while it is analysed', async () => {
    const slow = await ask('DESCRIBE (SELECT (SELECT sum(sleepEachRow(0.3)) FROM figures_daily WHERE n < 5) AS x)');
    expect(slow.status).toBe(500);
    expect(slow.body).toMatch(/Timeout exceeded/);
  });

  it('holds every answer to its row limit and every statement to its time limit', async () => {
    const many = await ask('SELECT * FROM figures_daily');
    expect(many.status).toBe(500);
    expect(many.body).toMatch(/Limit for result exceeded, max rows: 5/);
    // Five rows at 0.3 s each: past the one-second limit.
    const slow = await ask('SELECT sleepEachRow(0.3) FROM figures_daily WHERE n < 5');
    expect(slow.status).toBe(500);
    expect(slow.body).toMatch(/Timeout exceeded/);
  });
});
