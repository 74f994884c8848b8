import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BulletinDocument, BulletinPeriod } from '../document.ts';
import { parsePeriod } from '../period.ts';
import type { BulletinStatus } from '../status.ts';
import { REVISION_FILES } from './layout.ts';

/*
 * revision.json: a revision at a glance — who, when, preliminary or final, and the headline
 * figures — so the index and the time series are built from small files instead of every
 * revision's whole document. Revisions issued before it existed have only figures.json, which
 * holds the same facts (status and issuer may be missing there: null).
 */

export interface HeadlineValue {
  section: string;
  key: string;
  label: string;
  unit: string;
  value: number | null;
}

export interface RevisionSummary {
  city: { code: string; name: string };
  period: BulletinPeriod;
  revision: number;
  issuedAt: string;
  issuer: string | null;
  /** null: issued before bulletins were labelled. */
  status: BulletinStatus | null;
  finalFrom: string | null;
  changes: string[];
  headline: HeadlineValue[];
}

export function summarise(doc: BulletinDocument): RevisionSummary {
  return {
    city: doc.city,
    period: doc.period,
    revision: doc.revision,
    issuedAt: doc.generatedAt,
    issuer: doc.issuer,
    status: doc.status,
    finalFrom: doc.finalFrom,
    changes: doc.changes,
    headline: doc.headline.flatMap((s) =>
      s.figures.map((f) => ({ section: s.title, key: f.key, label: f.label, unit: f.unit, value: f.value })),
    ),
  };
}

export const renderSummary = (doc: BulletinDocument) => `${JSON.stringify(summarise(doc), null, 2)}\n`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A summary from revision.json or, for an older revision, figures.json; undefined if neither reads as one. */
export function readSummary(dir: string): RevisionSummary | undefined {
  for (const name of [REVISION_FILES.summary, REVISION_FILES.json]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
    return name === REVISION_FILES.summary ? fromSummary(data) : fromDocument(data);
  }
  return undefined;
}

function common(data: unknown): Omit<RevisionSummary, 'issuedAt' | 'headline'> | undefined {
  if (!isRecord(data) || !isRecord(data.city) || !isRecord(data.period)) return undefined;
  const code = text(data.city.code);
  const name = text(data.city.name);
  const key = text(data.period.key);
  const revision = data.revision;
  if (!code || !name || !key || typeof revision !== 'number' || !Number.isInteger(revision)) return undefined;
  let period: BulletinPeriod;
  try {
    period = parsePeriod(key);
  } catch {
    return undefined;
  }
  const status = data.status === 'preliminary' || data.status === 'final' ? data.status : null;
  const changes = Array.isArray(data.changes) ? data.changes.filter((c): c is string => typeof c === 'string') : [];
  return { city: { code, name }, period, revision, issuer: text(data.issuer), status, finalFrom: text(data.finalFrom), changes };
}

function headline(items: unknown[]): HeadlineValue[] {
  return items.filter(isRecord).map((f) => ({
    section: text(f.section) ?? '',
    key: text(f.key) ?? '',
    label: text(f.label) ?? '',
    unit: text(f.unit) ?? '',
    value: numberOrNull(f.value),
  }));
}

function fromSummary(data: unknown): RevisionSummary | undefined {
  const base = common(data);
  if (!base || !isRecord(data)) return undefined;
  const issuedAt = text(data.issuedAt);
  if (!issuedAt) return undefined;
  return { ...base, issuedAt, headline: headline(Array.isArray(data.headline) ? data.headline : []) };
}

function fromDocument(data: unknown): RevisionSummary | undefined {
  const base = common(data);
  if (!base || !isRecord(data)) return undefined;
  const issuedAt = text(data.generatedAt);
  if (!issuedAt) return undefined;
  const sections = Array.isArray(data.headline) ? data.headline.filter(isRecord) : [];
  const figures = sections.flatMap((s) =>
    (Array.isArray(s.figures) ? s.figures.filter(isRecord) : []).map((f) => ({ ...f, section: text(s.title) ?? '' })),
  );
  return { ...base, issuedAt, headline: headline(figures) };
}
