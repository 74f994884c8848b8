import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@govstats/config';
import { openStore, queryRows, type Store } from '@govstats/store';
import { SINGLE_NODE, setUpWarehouse } from '@govstats/warehouse';
import { IssuerBusyError, RevisionTakenError, issueBulletin, issuerLockFile, parsePeriod } from '../src/index.ts';
import { publishRevision } from '../src/publish-revision.ts';

const CITY = '411200000000';
const ROOT = join(import.meta.dirname, '..', '..', '..');
const HOLDER = join(import.meta.dirname, 'support', 'hold-issuer-lock.ts');

/** Another process holding the city's issuer lock until released or killed. */
async function holdLock(lockFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, lockFile, CITY], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('held\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before taking the lock`)));
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

describe('one issuer of a city at a time, and no revision written twice', () => {
  const home = mkdtempSync(join(tmpdir(), 'govstats-issuers-'));
  const outDir = join(home, 'bulletins');
  const lockFile = issuerLockFile(outDir, CITY);
  let store: Store;
  const issue = (period: string, lockWaitMs?: number) =>
    issueBulletin(store, { cityCode: CITY, period: parsePeriod(period), outDir, now: Date.parse('2024-10-10T03:00:00+08:00'), lockWaitMs });
  const recorded = async (period: string) =>
    queryRows<{ revision: number; checksum: string }>(
      store.client,
      'SELECT revision, checksum FROM bulletins WHERE city_code = {city:String} AND period = {period:String} ORDER BY revision',
      { city: CITY, period },
    );

  beforeAll(async () => {
    store = await openStore(loadConfig({ GOVSTATS_HOME: home }).clickhouse);
    await setUpWarehouse(store, SINGLE_NODE);
  });

  afterAll(async () => {
    await store?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('gives three issuers started together one revision, written whole', async () => {
    const results = await Promise.all([issue('2024-Q3'), issue('2024-Q3'), issue('2024-Q3')]);
    // The first issues; the others wait for it, then find the same figures already issued.
    expect(results.map((r) => r.status).sort()).toEqual(['new', 'unchanged', 'unchanged']);
    expect(results.map((r) => r.document.revision)).toEqual([1, 1, 1]);
    expect(await recorded('2024-Q3')).toHaveLength(1);
    const period = join(outDir, CITY, '2024-Q3');
    expect(readdirSync(period).sort()).toEqual(['latest', 'r1']); // no staging directory left behind
    const dir = join(period, 'r1');
    expect(readdirSync(dir).sort()).toEqual(['SHA256SUMS', 'bulletin.html', 'bulletin.md', 'figures.csv', 'figures.json', 'revision.json']);
    // The index writers took turns too: no temporary file left beside what they wrote.
    expect(readdirSync(outDir).sort()).toEqual([CITY, 'catalog.json', 'index.html']);
    expect(readdirSync(join(period, 'latest')).sort()).toEqual(readdirSync(dir).sort());
    // Every file whole: its checksum is the one recorded beside it.
    for (const line of readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n')) {
      const [sum, name] = line.split('  ');
      expect(
        createHash('sha256')
          .update(readFileSync(join(dir, name!)))
          .digest('hex'),
        name,
      ).toBe(sum);
    }
    expect(JSON.parse(readFileSync(join(dir, 'figures.json'), 'utf8'))).toMatchObject({ revision: 1, city: { code: CITY } });
    expect(existsSync(lockFile)).toBe(false);
  });

  it('makes an issuer wait for another process that holds the city, or say who and what to do', async () => {
    const holder = await holdLock(lockFile);
    try {
      const refused = await issue('2024-07', 1_000).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(IssuerBusyError);
      expect((refused as Error).message).toMatch(
        new RegExp(
          `^another issuer \\(pid ${holder.pid}, since [-0-9T:.]+Z\\) is issuing bulletins for ${CITY}; waited 1 s for it\\. ` +
            `Wait for it to finish and issue again, or remove the lock file ${lockFile.replace(/[.]/g, '\\.')} if that process is gone\\.$`,
        ),
      );
      expect(existsSync(join(outDir, CITY, '2024-07'))).toBe(false);
      expect(await recorded('2024-07')).toEqual([]);

      // Waiting long enough, it issues once the other one is done.
      const waiting = issue('2024-07', 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      holder.stdin!.end();
      expect(await exited(holder)).toBe(0);
      expect((await waiting).status).toBe('new');
      expect(await recorded('2024-07')).toHaveLength(1);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over the lock of an issuer that was killed, without waiting', async () => {
    const holder = await holdLock(lockFile);
    holder.kill('SIGKILL');
    await exited(holder);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: holder.pid });
    expect((await issue('2024-08', 0)).status).toBe('new');
    expect(existsSync(lockFile)).toBe(false);
  });

  it('never writes over a revision directory that is already there', async () => {
    // Left by an issuer that stopped before recording revision 1 (or one that bypassed the lock).
    const theirs = join(outDir, CITY, '2024-09', 'r1');
    mkdirSync(theirs, { recursive: true });
    writeFileSync(join(theirs, 'bulletin.html'), 'theirs');
    const refused = await issue('2024-09').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RevisionTakenError);
    expect((refused as Error).message).toBe(
      `${theirs} exists but revision 1 of the ${CITY} 2024-09 bulletin is not recorded in ClickHouse: an issuer stopped ` +
        'between writing and recording it (or one is writing it now without the lock). Nothing was overwritten; if no ' +
        'other issuer is running, move that directory away and issue again.',
    );
    expect(readdirSync(theirs)).toEqual(['bulletin.html']);
    expect(readFileSync(join(theirs, 'bulletin.html'), 'utf8')).toBe('theirs');
    expect(readdirSync(join(outDir, CITY, '2024-09'))).toEqual(['r1']);
    expect(await recorded('2024-09')).toEqual([]);
    // As the message says: moved away, the revision is issued.
    renameSync(theirs, join(outDir, 'r1-moved-away'));
    expect((await issue('2024-09')).status).toBe('new');
    expect(await recorded('2024-09')).toHaveLength(1);
  });

  it('lets exactly one of two writers of the same revision directory publish it', () => {
    const dir = join(home, 'claim', 'r1');
    publishRevision(dir, [['a.txt', 'first']]);
    expect(() =>
      publishRevision(dir, [
        ['a.txt', 'second'],
        ['b.txt', 'second'],
      ]),
    ).toThrow(RevisionTakenError);
    expect(readdirSync(dir)).toEqual(['a.txt']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('first');
    expect(readdirSync(join(home, 'claim'))).toEqual(['r1']);
  });
});
