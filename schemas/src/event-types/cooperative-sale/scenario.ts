import { z } from 'zod';
import { HOUR_MS } from '../../core/china-time.ts';
import { divisionCode } from '../../core/division-code.ts';
import { ScenarioConflict, defineScenarioPart, filterKey, parseFilterKey, type ScenarioTarget } from '../../core/scenario-part.ts';
import { part, slice } from '../../core/scenario-calendar.ts';
import { SALE_CHANNELS, SALE_UNITS } from './contract.ts';

/** Quantities are targeted to 3 decimals and planned as integers in thousandths. */
const QUANTITY_SCALE = 1000;

/** One product's sales by one cooperative over the period, exactly. */
interface SaleStream {
  cooperativeId: string;
  product: string;
  unit: string;
  /** Fixed channel when a target names one; otherwise drawn per sale. */
  channel?: string;
  sales: number;
  revenueFen: number;
  quantityMilli: number;
}

const productSchema = z.object({ name: z.string().min(1).max(64), unit: z.enum(SALE_UNITS), price_fen: z.int().positive() }).strict();
type Product = z.output<typeof productSchema>;

const DRAWN_CHANNELS: readonly (typeof SALE_CHANNELS)[number][] = [
  'wholesale',
  'wholesale',
  'e_commerce',
  'retail',
  'contract_purchase',
  'livestream',
];
const SALE_MEASURES = ['sales', 'revenue_fen', 'quantity'];

/** Sales figures are targeted per product (optionally per unit and channel): the generator sells it exactly. */
const byProduct = {
  accepts: (filter: Record<string, string>) =>
    filter.product !== undefined && Object.keys(filter).every((k) => ['product', 'unit', 'channel'].includes(k)),
  described: 'product, with unit and channel optional',
};

/** Targets on one product must use one filter, or their sales would overlap. */
function checkProductFilters(targets: ScenarioTarget[]): void {
  const byName = new Map<string, ScenarioTarget>();
  for (const target of targets.filter((t) => t.filter.product)) {
    const other = byName.get(target.filter.product!);
    if (other && filterKey(other.filter) !== filterKey(target.filter)) {
      throw new ScenarioConflict('targets on one product must use the same filter, or their sales would overlap', [other, target]);
    }
    byName.set(target.filter.product!, target);
  }
}

export const cooperativeSaleScenario = defineScenarioPart({
  activity: {
    cooperative_share: z.number().min(0).max(1).default(0.3).describe('share of villages with a cooperative'),
    sales_per_cooperative_per_month: z.number().nonnegative().default(4).describe('sales of each product per cooperative per month'),
    default_products: z
      .array(productSchema)
      .min(1)
      .default([{ name: '核桃', unit: 'kg', price_fen: 2_000 }])
      .describe('what cooperatives not named in the scenario sell'),
  },
  settings: {
    /** Cooperatives of particular villages; other villages get plausible ones from `activity`. */
    cooperatives: z
      .array(
        z
          .object({
            village: divisionCode,
            id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
            name: z.string().optional(),
            products: z.array(productSchema).min(1),
          })
          .strict(),
      )
      .default([])
      .describe('cooperatives of particular villages, with their products; other villages get plausible ones'),
  },
  targets: [
    { measure: 'villages_selling', countsVillages: true },
    { measure: 'sales', filters: byProduct },
    { measure: 'revenue_fen', filters: byProduct },
    { measure: 'quantity', filters: byProduct, scale: QUANTITY_SCALE },
  ],
  checkTargets: checkProductFilters,

  /** Targeted products sold exactly as targeted, then plausible sales of the products no target speaks about. */
  plan({ producer: { place }, settings, months, random, quota, targetedFilters, fail }): SaleStream[] {
    // Targeted on the number of selling villages: this village sells (1) or does not (0).
    const sells = quota('villages_selling');
    if (sells === 0) return [];
    const streams: SaleStream[] = [];
    const own = settings.cooperatives.filter((c) => c.village === place.code);
    const knownProducts: Product[] = [...settings.cooperatives.flatMap((c) => c.products), ...settings.default_products];
    const targetedProducts = new Set<string>();
    for (const filter of targetedFilters().filter((f) => f.startsWith('product=') || f.includes(',product='))) {
      const fields = parseFilterKey(filter);
      const name = fields.product!;
      targetedProducts.add(name);
      let [sales, revenueFen, quantityMilli] = SALE_MEASURES.map((m) => quota(m, filter));
      if (sales === undefined && revenueFen === undefined && quantityMilli === undefined) continue;
      const product = knownProducts.find((p) => p.name === name && (!fields.unit || p.unit === fields.unit));
      const unit = fields.unit ?? product?.unit ?? 'kg';
      const price = product?.price_fen ?? 1_000;
      const pricePerMilli = price / QUANTITY_SCALE;
      revenueFen ??= quantityMilli !== undefined ? Math.round(quantityMilli * pricePerMilli) : (sales ?? 0) * price * 500;
      quantityMilli ??= Math.max(sales ?? 1, Math.round(revenueFen / pricePerMilli));
      sales ??= Math.max(revenueFen > 0 ? 1 : 0, Math.min(revenueFen, quantityMilli, Math.round(revenueFen / 5_000_000)));
      if (sales > revenueFen || sales > quantityMilli)
        fail(`${sales} sales of ${name} cannot each have a positive amount and quantity`, SALE_MEASURES);
      if (sales === 0 && (revenueFen > 0 || quantityMilli > 0)) fail(`revenue or quantity of ${name} without any sale`, SALE_MEASURES);
      const cooperative = own.find((c) => c.products.some((p) => p.name === name)) ?? own[0];
      streams.push({
        cooperativeId: cooperative?.id ?? `${place.code}-COOP1`,
        product: name,
        unit,
        channel: fields.channel,
        sales,
        revenueFen,
        quantityMilli,
      });
    }
    // Plausible sales of products no target speaks about, so targeted figures stay exact.
    const hasCooperative = own.length > 0 || sells === 1 || random.chance(settings.cooperative_share);
    const cooperatives = own.length > 0 ? own : hasCooperative ? [{ id: `${place.code}-COOP1`, products: settings.default_products }] : [];
    for (const cooperative of cooperatives) {
      for (const product of cooperative.products.filter((p) => !targetedProducts.has(p.name))) {
        // A village counted as selling sells at least once, however quiet the period.
        const sales = Math.max(sells === 1 && streams.length === 0 ? 1 : 0, Math.round(settings.sales_per_cooperative_per_month * months));
        if (sales === 0) continue;
        const lot = random.int(100, 2_000);
        streams.push({
          cooperativeId: cooperative.id,
          product: product.name,
          unit: product.unit,
          sales,
          revenueFen: sales * lot * product.price_fen,
          quantityMilli: sales * lot * QUANTITY_SCALE,
        });
      }
    }
    if (sells === 1 && !streams.some((stream) => stream.sales > 0))
      fail('counted as a selling village, but no product is left for it to sell', ['villages_selling']);
    return streams;
  },

  *emitDay(streams, { day, dayStart, calendar, random }) {
    for (let k = 0; k < streams.length; k++) {
      const stream = streams[k]!;
      const [i0, i1] = slice(stream.sales, calendar.every, day);
      for (let i = i0; i < i1; i++) {
        yield {
          key: `k${k}-${i}`,
          time: dayStart + 7 * HOUR_MS + Math.floor(random.next() * 13 * HOUR_MS),
          data: {
            cooperative_id: stream.cooperativeId,
            product: stream.product,
            quantity: part(stream.quantityMilli, stream.sales, i) / QUANTITY_SCALE,
            unit: stream.unit,
            amount_fen: part(stream.revenueFen, stream.sales, i),
            channel: stream.channel ?? random.pick(DRAWN_CHANNELS),
          },
        };
      }
    }
  },
});
