import type { PeriodKind } from '../document.ts';
import { BOM, csvField } from '../render/csv.ts';
import type { IssuedCity } from './scan.ts';

/*
 * A city's time series: every headline figure of every issued period of one kind, as printed in
 * the latest revision of each period, in long format (one row per period × measure):
 *
 *   period,period_label,from,to,revision,status,issued_at,section,measure,label,unit,value
 *
 * Long rather than wide: a measure added to the bulletin later simply has no rows for earlier
 * periods, and a label that changed stays with the periods that printed it. Values are as in
 * figures.csv (display unit, `%` as a 0..1 ratio, empty for no value); text cells are neutralised
 * against formula injection and the file is UTF-8 with a BOM and CRLF, both exactly as figures.csv.
 */

export const SERIES_HEADER = [
  'period',
  'period_label',
  'from',
  'to',
  'revision',
  'status',
  'issued_at',
  'section',
  'measure',
  'label',
  'unit',
  'value',
] as const;

/** The series of `kind` for a city; undefined when the city has no period of that kind. */
export function renderSeries(city: IssuedCity, kind: PeriodKind): string | undefined {
  const periods = city.periods.filter((p) => p.period.kind === kind);
  if (periods.length === 0) return undefined;
  const lines: string[] = [SERIES_HEADER.join(',')];
  for (const { period, revisions } of periods) {
    const latest = revisions.at(-1)!;
    for (const f of latest.headline) {
      const record = [
        period.key,
        period.label,
        period.from,
        period.to,
        latest.revision,
        latest.status ?? '',
        latest.issuedAt,
        f.section,
        f.key,
        f.label,
        f.unit,
        f.value,
      ];
      lines.push(record.map(csvField).join(','));
    }
  }
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
