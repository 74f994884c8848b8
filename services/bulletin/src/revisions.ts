import { createHash } from 'node:crypto';
import type { BulletinContent } from './collect-figures.ts';
import { basisLabel } from './render/format.ts';

/** Checksum of the figures only: the same data gives the same checksum, whenever generated. */
export function contentChecksum(content: BulletinContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/**
 * A key as the revision before may have recorded it: revisions issued before keys were qualified
 * by type say `visits` for `<type>.visits`, and their sections carried short domain names.
 */
export const sameKey = (old: string, key: string) => old === key || old === key.slice(key.indexOf('.') + 1);

/** What changed between two revisions, in the words a reader of the bulletin needs. */
export function describeChanges(before: BulletinContent, after: BulletinContent): string[] {
  const changes: string[] = [];
  for (const section of after.headline) {
    const old = before.headline.find((s) => s.domain === section.domain) ?? before.headline.find((s) => s.title === section.title);
    for (const figure of section.figures) {
      const was = old?.figures.find((f) => sameKey(f.key, figure.key))?.value ?? null;
      if (was !== figure.value) changes.push(`${figure.label}由${show(was)}${figure.unit}修订为${show(figure.value)}${figure.unit}`);
    }
  }
  for (const table of after.tables) {
    const old = before.tables.find((t) => t.level === table.level);
    for (const row of table.rows) {
      const oldRow = old?.rows.find((r) => r.code === row.code);
      const oldValue = (key: string) => Object.entries(oldRow?.values ?? {}).find(([k]) => sameKey(k, key))?.[1] ?? null;
      const changed = table.columns.filter((c) => oldValue(c.key) !== (row.values[c.key] ?? null));
      if (changed.length > 0) changes.push(`${table.title}：${row.name}的${changed.map((c) => c.label).join('、')}有修订`);
    }
  }
  changes.push(...baseChanges(before, after));
  if (before.quality.arrivedLate !== after.quality.arrivedLate) {
    changes.push(`迟报数据由${before.quality.arrivedLate}条增至${after.quality.arrivedLate}条`);
  }
  // Falls when a replay loads messages refused in the period.
  if (before.quality.deadLettered !== after.quality.deadLettered) {
    changes.push(`拒收消息由${before.quality.deadLettered}条修订为${after.quality.deadLettered}条`);
  }
  return changes;
}

/** Comparison bases (the previous period, a year ago) that late events in those periods changed. */
function baseChanges(before: BulletinContent, after: BulletinContent): string[] {
  const changes: string[] = [];
  const old = before.headline.flatMap((s) => s.figures);
  // An annual bulletin's previous period is the year before: the same base twice.
  const bases = after.period.kind === 'year' ? (['previous'] as const) : (['previous', 'yearAgo'] as const);
  for (const basis of bases) {
    const revised = after.headline
      .flatMap((s) => s.figures)
      .filter((figure) => {
        const was = old.find((f) => sameKey(f.key, figure.key));
        return was !== undefined && was[basis] !== null && figure[basis] !== null && was[basis] !== figure[basis];
      });
    if (revised.length > 0)
      changes.push(`比较用的${basisLabel(basis, after.period.kind)}数据已修订：${revised.map((f) => f.label).join('、')}`);
  }
  return changes;
}

function show(value: number | null): string {
  return value === null ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: 4 });
}
