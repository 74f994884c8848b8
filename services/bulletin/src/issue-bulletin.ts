import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createLogger } from '@govstats/log';
import { insertRows, queryRows, type Store } from '@govstats/store';
import { collectFigures, type BulletinContent } from './collect-figures.ts';
import type { BulletinDocument, BulletinPeriod } from './document.ts';
import { renderAll } from './render/index.ts';
import { contentChecksum, describeChanges } from './revisions.ts';

export interface IssuedBulletin {
  document: BulletinDocument;
  /** `new`: first revision; `revised`: figures changed since the last one; `unchanged`: nothing issued. */
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

/**
 * Issues the bulletin of a city for a period. Idempotent: when the figures are those of the last
 * revision nothing new is issued; when late events changed them, a new revision says what changed.
 * Recorded in ClickHouse (bulletins) and written as HTML, Markdown, CSV and JSON under `outDir`.
 */
export async function issueBulletin(
  store: Store,
  request: { cityCode: string; period: BulletinPeriod; outDir: string; now: number },
): Promise<IssuedBulletin> {
  const content = await collectFigures(store, request.cityCode, request.period);
  const checksum = contentChecksum(content);
  const [last] = await queryRows<Recorded>(
    store.client,
    `SELECT revision, checksum, generated_at, content FROM bulletins FINAL
WHERE city_code = {city:String} AND period = {period:String} ORDER BY revision DESC LIMIT 1`,
    { city: request.cityCode, period: request.period.key },
  );
  if (last && last.checksum === checksum) {
    const previous = JSON.parse(last.content) as BulletinContent;
    const document: BulletinDocument = { ...previous, revision: last.revision, generatedAt: isoUtc(last.generated_at), changes: [] };
    return { document, status: 'unchanged', files: [] };
  }
  const revision = (last?.revision ?? 0) + 1;
  const document: BulletinDocument = {
    ...content,
    revision,
    generatedAt: new Date(request.now).toISOString(),
    changes: last ? describeChanges(JSON.parse(last.content) as BulletinContent, content) : [],
  };
  const files = writeOutputs(document, request.outDir);
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
  log.info({ city: request.cityCode, period: request.period.key, revision, changes: document.changes.length }, 'bulletin issued');
  return { document, status: last ? 'revised' : 'new', files };
}

function writeOutputs(document: BulletinDocument, outDir: string): string[] {
  const dir = join(outDir, document.city.code, document.period.key, `r${document.revision}`);
  mkdirSync(dir, { recursive: true });
  const outputs = renderAll(document);
  const files = [
    [join(dir, 'bulletin.html'), outputs.html],
    [join(dir, 'bulletin.md'), outputs.markdown],
    [join(dir, 'figures.csv'), outputs.csv],
    [join(dir, 'figures.json'), outputs.json],
  ] as const;
  for (const [path, text] of files) writeFileSync(path, text);
  const sums = files.map(([path, text]) => `${createHash('sha256').update(text).digest('hex')}  ${path.slice(dir.length + 1)}`);
  writeFileSync(join(dir, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  return files.map(([path]) => path);
}

/** ClickHouse returns DateTime64 as `2024-10-05 02:00:00.000` in UTC. */
function isoUtc(value: string): string {
  return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}
