import { EVENT_TYPES, type EventTypeDefinition, type RollupLevel } from '@govstats/schemas';
import type { Store } from '@govstats/store';
import { countDeadLettered, countLateArrivals, queryPlaceFigures, queryRollup, silentVillages } from '@govstats/warehouse';
import { urbanRuralBreakdown } from './area-breakdown.ts';
import { requireCity } from './check-city.ts';
import type { Breakdown, BulletinDocument, BulletinPeriod, HeadlineSection, PlaceTable } from './document.ts';
import { HEADLINE, PLACE_COLUMNS, scaled } from './headline-spec.ts';
import { previousPeriod, yearAgoPeriod } from './period.ts';

/** The part of a bulletin that comes from the data; revision and timestamps are added on issue. */
export type BulletinContent = Pick<BulletinDocument, 'city' | 'period' | 'headline' | 'tables' | 'breakdowns' | 'quality'>;

const typeNamed = (name: string): EventTypeDefinition => EVENT_TYPES.find((t) => t.name === name)!;

/**
 * Every figure of a bulletin, read from the rollups with the same queries `govstats rollup` uses,
 * so a bulletin figure and the rollup figure cannot disagree. A code that is not a current city of
 * the division catalogue is refused (UnknownCityError) before anything is read.
 */
export async function collectFigures(store: Store, cityCode: string, period: BulletinPeriod): Promise<BulletinContent> {
  const city = await requireCity(store, cityCode);
  const periods = { value: period, previous: previousPeriod(period), yearAgo: yearAgoPeriod(period) };
  const cityFigures = async (p: BulletinPeriod) => {
    const byType = new Map<string, Record<string, number | null>>();
    for (const type of EVENT_TYPES) byType.set(type.name, await queryPlaceFigures(store, type, { level: 'city', code: cityCode, from: p.from, to: p.to }));
    return byType;
  };
  const current = await cityFigures(periods.value);
  // A period with no events at all was not covered by govstats: no comparison, rather than "up from 0".
  const covered = async (p: BulletinPeriod) => {
    const figures = await cityFigures(p);
    return eventCount(figures) > 0 ? figures : undefined;
  };
  const previous = await covered(periods.previous);
  const yearAgo = await covered(periods.yearAgo);

  const headline: HeadlineSection[] = HEADLINE.map((section) => ({
    domain: section.domain,
    title: section.title,
    figures: section.figures.map((spec) => ({
      key: spec.measure,
      label: spec.label,
      unit: spec.unit,
      value: scaled(current.get(spec.type)?.[spec.measure], spec),
      previous: scaled(previous?.get(spec.type)?.[spec.measure], spec),
      yearAgo: scaled(yearAgo?.get(spec.type)?.[spec.measure], spec),
    })),
  }));

  const cityTotals = Object.fromEntries(PLACE_COLUMNS.map((c) => [c.measure, scaled(current.get(c.type)?.[c.measure], c)]));
  const tables = [
    await placeTable(store, cityCode, period, 'county', '表1 各县（市、区）主要指标', cityTotals),
    await placeTable(store, cityCode, period, 'township', '表2 各乡镇（街道）主要指标', cityTotals),
  ];

  const quality = await silentVillages(store, cityCode, period);
  return {
    city,
    period,
    headline,
    tables,
    breakdowns: [...(await salesBreakdowns(store, cityCode, period)), await urbanRuralBreakdown(store, cityCode, period, current)],
    quality: {
      eventsIngested: eventCount(current),
      deadLettered: await countDeadLettered(store, cityCode, period),
      arrivedLate: await countLateArrivals(store, cityCode, period),
      villagesTotal: quality.total,
      silentVillages: quality.silent,
    },
  };
}

/** All events of the period: each type's count measures together cover every event once. */
function eventCount(figures: Map<string, Record<string, number | null>>): number {
  const get = (type: string, measure: string) => figures.get(type)?.[measure] ?? 0;
  return (
    get('grid-visit', 'visits') +
    get('dispute-case', 'received') + get('dispute-case', 'escalated') + get('dispute-case', 'resolved') + get('dispute-case', 'closed_unresolved') +
    get('training-attendance', 'attendances') +
    get('cooperative-sale', 'sales')
  );
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
  for (const type of EVENT_TYPES) {
    const columns = PLACE_COLUMNS.filter((c) => c.type === type.name);
    if (columns.length === 0) continue;
    for (const r of await queryRollup(store, type, { level, within: cityCode, from: period.from, to: period.to })) {
      const row = rows.get(r.code) ?? { code: r.code, name: r.place, values: Object.fromEntries(PLACE_COLUMNS.map((c) => [c.measure, null])) };
      for (const c of columns) row.values[c.measure] = scaled(r.figures[c.measure], c);
      rows.set(r.code, row);
    }
  }
  const rankBy = 'visits';
  const ordered = [...rows.values()].sort((a, b) => (b.values[rankBy] ?? -1) - (a.values[rankBy] ?? -1) || a.code.localeCompare(b.code));
  return {
    level,
    title,
    columns: PLACE_COLUMNS.map((c) => ({ key: c.measure, label: c.label, unit: c.unit })),
    rankBy,
    rows: ordered.map((row) => ({ ...row, rank: 1 + ordered.filter((o) => (o.values[rankBy] ?? -1) > (row.values[rankBy] ?? -1)).length })),
    total,
  };
}

async function salesBreakdowns(store: Store, cityCode: string, period: BulletinPeriod): Promise<Breakdown[]> {
  const sales = typeNamed('cooperative-sale');
  const filter = { level: 'city' as const, code: cityCode, from: period.from, to: period.to };
  const byProduct = await queryRollup(store, sales, { ...filter, by: ['product', 'unit'] });
  const byChannel = await queryRollup(store, sales, { ...filter, by: ['channel'] });
  const revenue = (fen: number | null | undefined) => (fen === null || fen === undefined ? null : Math.round(fen / 100) / 10_000);
  return [
    {
      title: '表3 合作社分产品销售情况',
      columns: [
        { key: 'quantity', label: '销售量', unit: '' },
        { key: 'revenue_yuan', label: '销售收入', unit: '万元' },
      ],
      rows: byProduct
        .map((r) => ({ name: r.dimensions.product!, unitName: r.dimensions.unit!, values: { quantity: r.figures.quantity ?? null, revenue_yuan: revenue(r.figures.revenue_fen) } }))
        .sort((a, b) => (b.values.revenue_yuan ?? 0) - (a.values.revenue_yuan ?? 0))
        .map((r) => ({ name: `${r.name}（${r.unitName}）`, values: r.values })),
    },
    {
      title: '表4 合作社分渠道销售情况',
      columns: [
        { key: 'sales', label: '销售笔数', unit: '笔' },
        { key: 'revenue_yuan', label: '销售收入', unit: '万元' },
      ],
      rows: byChannel
        .map((r) => ({ name: CHANNEL_NAMES[r.dimensions.channel!] ?? r.dimensions.channel!, values: { sales: r.figures.sales ?? null, revenue_yuan: revenue(r.figures.revenue_fen) } }))
        .sort((a, b) => (b.values.revenue_yuan ?? 0) - (a.values.revenue_yuan ?? 0)),
    },
  ];
}

const CHANNEL_NAMES: Record<string, string> = {
  wholesale: '批发',
  e_commerce: '电商',
  livestream: '直播带货',
  export: '出口',
  retail: '零售',
  contract_purchase: '订单收购',
};
