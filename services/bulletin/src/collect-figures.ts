import { EVENT_TYPES, type RollupLevel } from '@govstats/schemas';
import type { Store } from '@govstats/store';
import { countDeadLettered, countLateArrivals, queryPlaceFigures, queryRollup, silentVillages } from '@govstats/warehouse';
import { urbanRuralBreakdown, type CityFigures } from './area-breakdown.ts';
import { BREAKDOWNS, COUNTY_CHARTS, DEFINITIONS, HEADLINE, PLACE_COLUMNS, scaled, type FigureSpec } from './bulletin-spec.ts';
import { requireCity } from './check-city.ts';
import type { Breakdown, BulletinDocument, BulletinPeriod, HeadlineSection, PlaceTable } from './document.ts';
import { previousPeriod, yearAgoPeriod } from './period.ts';

/** The part of a bulletin that comes from the data; revision and timestamps are added on issue. */
export type BulletinContent = Pick<BulletinDocument, 'city' | 'period' | 'headline' | 'tables' | 'breakdowns' | 'definitions' | 'quality'>;

const valueOf = (figures: CityFigures | undefined, spec: FigureSpec) => scaled(figures?.get(spec.type.name)?.[spec.measure], spec);

/**
 * Every figure of a bulletin, read from the rollups with the same queries `govstats rollup` uses,
 * so a bulletin figure and the rollup figure cannot disagree. A code that is not a current city of
 * the division catalogue is refused (UnknownCityError) before anything is read. Which figures, in
 * which words, comes from the types' bulletin parts (bulletin-spec.ts).
 */
export async function collectFigures(store: Store, cityCode: string, period: BulletinPeriod): Promise<BulletinContent> {
  const city = await requireCity(store, cityCode);
  const periods = { value: period, previous: previousPeriod(period), yearAgo: yearAgoPeriod(period) };
  // The reads of a bulletin are independent: they go to the store together (a server's connection
  // pool, or the embedded engine's sessions, one a core) and are put together in registry order.
  const cityFigures = async (p: BulletinPeriod): Promise<CityFigures> => {
    const figures = await Promise.all(
      EVENT_TYPES.map((type) => queryPlaceFigures(store, type, { level: 'city', code: cityCode, from: p.from, to: p.to })),
    );
    return new Map(EVENT_TYPES.map((type, i) => [type.name, figures[i]!]));
  };
  // A period with no events at all was not covered by govstats: no comparison, rather than "up from 0".
  const covered = async (p: BulletinPeriod) => {
    const figures = await cityFigures(p);
    return eventCount(figures) > 0 ? figures : undefined;
  };
  const [current, previous, yearAgo] = await Promise.all([cityFigures(periods.value), covered(periods.previous), covered(periods.yearAgo)]);

  const headline: HeadlineSection[] = HEADLINE.map((section) => ({
    domain: section.type.name,
    title: section.title,
    figures: section.figures.map((spec) => ({
      key: spec.key,
      label: spec.label,
      unit: spec.unit,
      value: valueOf(current, spec),
      previous: valueOf(previous, spec),
      yearAgo: valueOf(yearAgo, spec),
    })),
  }));

  const cityTotals = Object.fromEntries(PLACE_COLUMNS.map((c) => [c.key, valueOf(current, c)]));
  const [counties, townships, byDimension, byArea, quality] = await Promise.all([
    placeTable(store, cityCode, period, 'county', '各县（市、区）主要指标', cityTotals),
    placeTable(store, cityCode, period, 'township', '各乡镇（街道）主要指标', cityTotals),
    typeBreakdowns(store, cityCode, period),
    urbanRuralBreakdown(store, cityCode, period, current),
    silentVillages(store, cityCode, period),
  ]);
  const tables = [counties, townships];
  const breakdowns = [...byDimension, byArea];
  return {
    city,
    period,
    headline,
    // 表1, 表2, … in reading order.
    tables: tables.map((t, i) => ({ ...t, title: `表${i + 1} ${t.title}` })),
    breakdowns: breakdowns.map((b, i) => ({ ...b, title: `表${tables.length + i + 1} ${b.title}` })),
    definitions: [...DEFINITIONS].filter(([key]) => shownKeys(headline, tables, breakdowns).has(key)).map(([, text]) => text),
    quality: {
      eventsIngested: eventCount(current),
      deadLettered: await countDeadLettered(store, cityCode, period),
      arrivedLate: await countLateArrivals(store, cityCode, period),
      villagesTotal: quality.total,
      silentVillages: quality.silent,
    },
  };
}

/** All events of the period: each type names the counts that together cover its every event once. */
function eventCount(figures: CityFigures): number {
  return EVENT_TYPES.reduce(
    (n, type) => n + type.rollup.eventsCountedBy.reduce((m, measure) => m + (figures.get(type.name)?.[measure] ?? 0), 0),
    0,
  );
}

function shownKeys(headline: HeadlineSection[], tables: PlaceTable[], breakdowns: Breakdown[]): Set<string> {
  return new Set([
    ...headline.flatMap((s) => s.figures.map((f) => f.key)),
    ...tables.flatMap((t) => t.columns.map((c) => c.key)),
    ...breakdowns.flatMap((b) => [...b.columns.map((c) => c.key), ...b.rows.flatMap((r) => (r.key ? [r.key] : []))]),
  ]);
}

async function placeTable(
  store: Store,
  cityCode: string,
  period: BulletinPeriod,
  level: Extract<RollupLevel, 'county' | 'township'>,
  title: string,
  total: Record<string, number | null>,
): Promise<PlaceTable> {
  const rows = new Map<string, { code: string; name: string; values: Record<string, number | null> }>();
  const typesWithColumns = EVENT_TYPES.filter((type) => PLACE_COLUMNS.some((c) => c.type === type));
  const results = await Promise.all(
    typesWithColumns.map((type) => queryRollup(store, type, { level, within: cityCode, from: period.from, to: period.to })),
  );
  for (const [i, type] of typesWithColumns.entries()) {
    const columns = PLACE_COLUMNS.filter((c) => c.type === type);
    for (const r of results[i]!) {
      const row = rows.get(r.code) ?? { code: r.code, name: r.place, values: Object.fromEntries(PLACE_COLUMNS.map((c) => [c.key, null])) };
      for (const c of columns) row.values[c.key] = scaled(r.figures[c.measure], c);
      rows.set(r.code, row);
    }
  }
  const rankBy = PLACE_COLUMNS[0]?.key ?? '';
  const ordered = [...rows.values()].sort((a, b) => (b.values[rankBy] ?? -1) - (a.values[rankBy] ?? -1) || a.code.localeCompare(b.code));
  return {
    level,
    title,
    columns: PLACE_COLUMNS.map((c) => ({ key: c.key, label: c.label, unit: c.unit })),
    rankBy,
    rows: ordered.map((row) => ({ ...row, rank: 1 + ordered.filter((o) => (o.values[rankBy] ?? -1) > (row.values[rankBy] ?? -1)).length })),
    total,
    charts: level === 'county' ? COUNTY_CHARTS : [],
  };
}

/** The city's figures by the dimensions the types ask for (sales by product, by channel). */
async function typeBreakdowns(store: Store, cityCode: string, period: BulletinPeriod): Promise<Breakdown[]> {
  const breakdowns: Breakdown[] = [];
  const results = await Promise.all(
    BREAKDOWNS.map(({ type, spec }) =>
      queryRollup(store, type, { level: 'city', code: cityCode, from: period.from, to: period.to, by: spec.by }),
    ),
  );
  for (const [i, { spec, columns }] of BREAKDOWNS.entries()) {
    const result = results[i]!;
    const sortBy = columns.find((c) => c.measure === spec.sortBy) ?? columns[columns.length - 1]!;
    const rows = result
      .map((r) => ({
        name: spec.rowName ? spec.rowName(r.dimensions as Record<string, string>) : spec.by.map((d) => r.dimensions[d]).join(' '),
        values: Object.fromEntries(columns.map((c) => [c.key, scaled(r.figures[c.measure], c)])),
      }))
      .sort((a, b) => (b.values[sortBy.key] ?? 0) - (a.values[sortBy.key] ?? 0));
    breakdowns.push({
      title: spec.title,
      columns: columns.map((c) => ({ key: c.key, label: c.label, unit: c.unit })),
      rows,
      charts: (spec.charts ?? []).map((m) => columns.find((c) => c.measure === m)!.key),
    });
  }
  return breakdowns;
}
