import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createLogger } from '@govstats/log';
import { insertRows, queryRows, type Store } from '@govstats/store';
import { requireCity } from './check-city.ts';
import { collectFigures, type BulletinContent } from './collect-figures.ts';
import type { BulletinDocument, BulletinPeriod } from './document.ts';
import { issuerLockFile, withIssuerLock } from './issuer-lock.ts';
import { REVISION_FILES } from './catalog/layout.ts';
import { refreshCity, writeRootIndex } from './catalog/publish-index.ts';
import { renderSummary } from './catalog/revision-summary.ts';
import { publishRevision, RevisionTakenError, withdrawRevision } from './publish-revision.ts';
import { renderAll } from './render/index.ts';
import { findRevisedBases } from './revised-bases.ts';
import { contentChecksum, describeChanges } from './revisions.ts';
import { DEFAULT_FINAL_AFTER_DAYS, DEFAULT_ISSUER, finalFrom, statusAt } from './status.ts';

export interface IssuedBulletin {
  document: BulletinDocument;
  /**
   * `new`: first revision; `revised`: a new revision, because figures changed since the last one
   * or because the last was preliminary and the period is final now (its `changes` say which);
   * `unchanged`: nothing issued.
   */
  status: 'new' | 'revised' | 'unchanged';
  files: string[];
}

const log = createLogger('bulletin');

interface Recorded {
  revision: number;
  checksum: string;
  generated_at: string;
  content: string;
}

export interface IssueRequest {
  cityCode: string;
  period: BulletinPeriod;
  outDir: string;
  now: number;
  /**
   * How long to wait while another issuer (the service, another `govstats bulletin`) is issuing
   * this city, before giving up with IssuerBusyError. Default 2 minutes.
   */
  lockWaitMs?: number;
  /** Who issues it, printed in it (BULLETIN_ISSUER); default `govstats 基层治理统计`. */
  issuer?: string;
  /** Days after the period closes from which a revision is final (BULLETIN_FINAL_AFTER_DAYS); default 30. */
  finalAfterDays?: number;
}

export const DEFAULT_LOCK_WAIT_MS = 120_000;

/**
 * Issues the bulletin of a city for a period. Idempotent: when the figures are those of the last
 * revision nothing new is issued; when late events changed them, a new revision says what changed.
 * Recorded in ClickHouse (bulletins) and written as HTML, Markdown, CSV and JSON under `outDir`.
 *
 * One issuer per city at a time (issuer-lock.ts): a second one waits for the first, then finds
 * the figures already issued, so the same figures never get two revisions. The figures are read
 * once the lock is held — read before, they could be older than a revision issued meanwhile.
 */
export async function issueBulletin(store: Store, request: IssueRequest): Promise<IssuedBulletin> {
  // An unknown code is refused before anything (the lock file included) is made under outDir.
  await requireCity(store, request.cityCode);
  return withIssuerLock(
    issuerLockFile(request.outDir, request.cityCode),
    request.cityCode,
    request.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
    () => issueLocked(store, request),
  );
}

async function issueLocked(store: Store, request: IssueRequest): Promise<IssuedBulletin> {
  const content = await collectFigures(store, request.cityCode, request.period);
  const checksum = contentChecksum(content);
  const [last] = await queryRows<Recorded>(
    store.client,
    `SELECT revision, checksum, generated_at, content FROM bulletins FINAL
WHERE city_code = {city:String} AND period = {period:String} ORDER BY revision DESC LIMIT 1`,
    { city: request.cityCode, period: request.period.key },
  );
  const finalAfterDays = request.finalAfterDays ?? DEFAULT_FINAL_AFTER_DAYS;
  const labels = { issuer: request.issuer ?? DEFAULT_ISSUER, finalFrom: finalFrom(request.period, finalAfterDays) };
  const status = statusAt(request.period, request.now, finalAfterDays);
  const lastStatus = last && statusAt(request.period, Date.parse(isoUtc(last.generated_at)), finalAfterDays);
  // The same figures once more, but the last revision was preliminary and this one is final.
  const finalising = last?.checksum === checksum && lastStatus === 'preliminary' && status === 'final';
  if (last && last.checksum === checksum && !finalising) {
    const previous = JSON.parse(last.content) as BulletinContent;
    const document: BulletinDocument = {
      ...previous,
      ...labels,
      revision: last.revision,
      generatedAt: isoUtc(last.generated_at),
      status: lastStatus!,
      changes: [],
      revisedBases: [],
    };
    // Nothing to issue, but an index a crash left behind is put right.
    await updateIndex(request);
    return { document, status: 'unchanged', files: [] };
  }
  const revision = (last?.revision ?? 0) + 1;
  const document: BulletinDocument = {
    ...content,
    ...labels,
    revision,
    generatedAt: new Date(request.now).toISOString(),
    status,
    changes: !last
      ? []
      : finalising
        ? [`补报截止后核实，数据与第${last.revision}版相同，本版为最终数据`]
        : describeChanges(JSON.parse(last.content) as BulletinContent, content),
    revisedBases: await findRevisedBases(store, content),
  };
  const what = `revision ${revision} of the ${request.cityCode} ${request.period.key} bulletin`;
  const dir = join(request.outDir, document.city.code, document.period.key, `r${revision}`);
  const files = outputFiles(document);
  try {
    publishRevision(dir, files);
  } catch (error) {
    if (!(error instanceof RevisionTakenError)) throw error;
    throw new RevisionTakenError(
      dir,
      (await isRecorded(store, request, revision))
        ? `${what} was issued by another issuer meanwhile (${dir}); nothing was overwritten. ` +
            'Issue again: it does nothing unless the figures changed since.'
        : `${dir} exists but ${what} is not recorded in ClickHouse: an issuer stopped between writing and ` +
            'recording it (or one is writing it now without the lock). Nothing was overwritten; if no other ' +
            'issuer is running, move that directory away and issue again.',
    );
  }
  try {
    await insertRows(
      store.client,
      'bulletins',
      [
        {
          city_code: request.cityCode,
          period: request.period.key,
          revision,
          generated_at: document.generatedAt,
          checksum,
          content: JSON.stringify(content),
        },
      ],
      { deduplicationToken: `bulletin:${request.cityCode}:${request.period.key}:${revision}:${checksum}` },
    );
  } catch (error) {
    // Files of a revision ClickHouse does not know would block that revision number for good.
    // An insert can fail after it landed (a dropped connection): then the files stay.
    if (!(await isRecorded(store, request, revision, checksum).catch(() => false))) {
      withdrawRevision(dir);
      throw new Error(
        `${what} could not be recorded in ClickHouse, so its files were taken back: ${(error as Error).message}. ` +
          'Issue again once ClickHouse answers.',
        { cause: error },
      );
    }
  }
  log.info({ city: request.cityCode, period: request.period.key, revision, status, changes: document.changes.length }, 'bulletin issued');
  await updateIndex(request);
  const written = files.filter(([name]) => name !== REVISION_FILES.sums).map(([name]) => join(dir, name));
  return { document, status: last ? 'revised' : 'new', files: written };
}

/**
 * The city's latest/ copies and series, then index.html and catalog.json. A failure here does not
 * undo an issued revision: it is logged, and the next issue or `govstats bulletin --index` rebuilds
 * all of it from the files.
 */
async function updateIndex(request: IssueRequest): Promise<void> {
  try {
    refreshCity(request.outDir, request.cityCode);
    await writeRootIndex(request.outDir, request.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  } catch (error) {
    log.error({ err: error, outDir: request.outDir }, 'the bulletin index could not be updated; `govstats bulletin --index` rebuilds it');
  }
}

/** Whether ClickHouse has this revision (with these figures, when a checksum is given). */
async function isRecorded(store: Store, request: IssueRequest, revision: number, checksum?: string): Promise<boolean> {
  const [row] = await queryRows<{ n: string }>(
    store.client,
    `SELECT count() AS n FROM bulletins WHERE city_code = {city:String} AND period = {period:String}
AND revision = {revision:UInt32} AND ({checksum:String} = '' OR checksum = {checksum:String})`,
    { city: request.cityCode, period: request.period.key, revision, checksum: checksum ?? '' },
  );
  return Number(row?.n ?? 0) > 0;
}

/** The files of a revision, SHA256SUMS of the others last. */
function outputFiles(document: BulletinDocument): [string, string][] {
  const outputs = renderAll(document);
  const files: [string, string][] = [
    [REVISION_FILES.html, outputs.html],
    [REVISION_FILES.markdown, outputs.markdown],
    [REVISION_FILES.csv, outputs.csv],
    [REVISION_FILES.json, outputs.json],
    [REVISION_FILES.summary, renderSummary(document)],
  ];
  const sums = files.map(([name, text]) => `${createHash('sha256').update(text).digest('hex')}  ${name}`);
  return [...files, [REVISION_FILES.sums, `${sums.join('\n')}\n`]];
}

/** ClickHouse returns DateTime64 as `2024-10-05 02:00:00.000` in UTC. */
function isoUtc(value: string): string {
  return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}
