import type { Area } from '@govstats/divisions';
import { EVENT_TYPES } from '@govstats/schemas';
import type { Store } from '@govstats/store';
import { queryPlaceFigures } from '@govstats/warehouse';
import type { Breakdown, BulletinPeriod } from './document.ts';
import { AREA_ROWS, scaled, type FigureSpec } from './bulletin-spec.ts';

/** Numbered with the other tables by collect-figures. */
export const AREA_TABLE_TITLE = '主要指标城乡分列';

/** The city's figures of each event type, by type name, as `queryPlaceFigures` gives them. */
export type CityFigures = Map<string, Record<string, number | null>>;

/**
 * Headline measures split by where the events happened: urban communities, rural villages, and
 * townships, counties and the city themselves (乡镇及以上). Urban and rural come from the rollups
 * with `area`, the total is the city's figure: the same queries as `govstats rollup`, so the table
 * cannot disagree with it.
 */
export async function urbanRuralBreakdown(store: Store, cityCode: string, period: BulletinPeriod, total: CityFigures): Promise<Breakdown> {
  const byArea = async (area: Area): Promise<CityFigures> => {
    const types = EVENT_TYPES.filter((t) => AREA_ROWS.some((r) => r.type === t));
    const figures = await Promise.all(
      types.map((type) => queryPlaceFigures(store, type, { level: 'city', code: cityCode, from: period.from, to: period.to, area })),
    );
    return new Map(types.map((type, i) => [type.name, figures[i]!]));
  };
  const [urban, rural] = await Promise.all([byArea('urban'), byArea('rural')]);
  const value = (figures: CityFigures, spec: FigureSpec) => figures.get(spec.type.name)?.[spec.measure] ?? null;
  return {
    title: AREA_TABLE_TITLE,
    columns: [
      { key: 'urban', label: '城镇', unit: '' },
      { key: 'rural', label: '乡村', unit: '' },
      { key: 'above_village', label: '乡镇及以上', unit: '' },
      { key: 'total', label: '合计', unit: '' },
    ],
    rows: AREA_ROWS.map((spec) => {
      const [u, r, t] = [value(urban, spec), value(rural, spec), value(total, spec)];
      // Computed before scaling, so the rounding of 万元 does not leak into the remainder.
      const above = spec.additive && t !== null ? t - (u ?? 0) - (r ?? 0) : null;
      return {
        name: spec.label,
        key: spec.key,
        unit: spec.unit,
        values: { urban: scaled(u, spec), rural: scaled(r, spec), above_village: scaled(above, spec), total: scaled(t, spec) },
      };
    }),
    charts: [],
  };
}
