import { Random } from '@govstats/schemas';
import { groupKey, QUANTITY_SCALE, ScenarioConflict, type Allocation, type ScenarioPlace } from './allocate.ts';
import type { Scenario, Target } from './scenario-file.ts';

export interface SaleStream {
  cooperativeId: string;
  product: string;
  unit: string;
  /** Fixed channel when a target names one; otherwise drawn per sale. */
  channel?: string;
  sales: number;
  revenueFen: number;
  quantityMilli: number;
}

/** Exactly what one village will produce over the period (its training is planned by its organisers). */
export interface VillagePlan {
  village: ScenarioPlace;
  grid: { visits: number; householdVisits: number; serviceVisits: number; households: number; members: number; grids: number; hazards: number };
  dispute: { received: number; resolved: number; resolvedInVillage: number };
  sales: SaleStream[];
}

/** Months of the scenario's period, as the plans count them. */
export function periodMonths(scenario: Scenario): number {
  return (Date.parse(scenario.period.to) - Date.parse(scenario.period.from)) / 86_400_000 / 30.44 + 1 / 30.44;
}

/** Throws a conflict naming the targets of these measures that gave `place` a share. */
export function failFor(place: ScenarioPlace, allocation: Allocation, targets: Target[]) {
  return (message: string, measures: string[]): never => {
    const involved = targets.filter((t) => measures.includes(t.measure) && allocation.get(groupKey(t))?.has(place.code));
    throw new ScenarioConflict(`${place.level} ${place.code}: ${message}`, involved);
  };
}

const SUPPORTED_FILTERS: Record<string, string[]> = {
  'grid-visit.visits': ['kind=service_delivery'],
  'training-attendance.attendees': ['role=*'],
  'cooperative-sale.sales': ['product'],
  'cooperative-sale.revenue_fen': ['product'],
  'cooperative-sale.quantity': ['product'],
};

/** Rejects filters the generator cannot honour exactly, naming the target. */
export function checkFilters(targets: Target[]): void {
  for (const target of targets) {
    const entries = Object.entries(target.filter);
    if (entries.length === 0) continue;
    const allowed = SUPPORTED_FILTERS[target.measure] ?? [];
    const ok =
      (allowed.includes('kind=service_delivery') && entries.length === 1 && target.filter.kind === 'service_delivery') ||
      (allowed.includes('role=*') && entries.length === 1 && target.filter.role !== undefined) ||
      (allowed.includes('product') && target.filter.product !== undefined && entries.every(([k]) => ['product', 'unit', 'channel'].includes(k)));
    if (!ok) throw new ScenarioConflict(`filter not supported for ${target.measure} (supported: ${allowed.join(', ') || 'none'})`, [target]);
  }
  const byProduct = new Map<string, Target>();
  for (const target of targets.filter((t) => t.filter.product)) {
    const other = byProduct.get(target.filter.product!);
    if (other && groupKey({ ...other, measure: '' }) !== groupKey({ ...target, measure: '' })) {
      throw new ScenarioConflict('targets on one product must use the same filter, or their sales would overlap', [other, target]);
    }
    byProduct.set(target.filter.product!, target);
  }
}

export function planVillage(village: ScenarioPlace, scenario: Scenario, allocation: Allocation, targets: Target[]): VillagePlan {
  const { activity } = scenario;
  const quota = (measure: string, filter = '') => allocation.get(`${measure}|${filter}`)?.get(village.code);
  const months = periodMonths(scenario);
  const years = months / 12;
  const random = new Random(scenario.seed ^ Number(village.code.slice(4)));
  const fail = failFor(village, allocation, targets);

  // Grid work: distinct entities first, then enough visits to reach all of them.
  const grids = quota('grid-visit.grids_active') ?? Math.max(1, Math.round(activity.grids_per_village * village.weight));
  const members = quota('grid-visit.grid_members_active') ?? grids;
  const households = quota('grid-visit.households_visited') ?? Math.round(activity.households_per_village * village.weight * 0.7);
  const serviceTarget = quota('grid-visit.visits', 'kind=service_delivery');
  const visitTarget = quota('grid-visit.visits');
  const householdTarget = quota('grid-visit.household_visits');
  let visits = visitTarget ?? Math.max(Math.round(members * activity.visits_per_member_per_month * months), members, grids);
  let serviceVisits = serviceTarget ?? Math.round(visits * (village.urban ? 0.2 : 0.08));
  let householdVisits = householdTarget ?? Math.max(households - serviceVisits, Math.round((visits - serviceVisits) * 0.55), 0);
  if (visitTarget === undefined) {
    visits = Math.max(visits, householdVisits + serviceVisits);
    if (serviceTarget === undefined) serviceVisits = Math.min(serviceVisits, visits - householdVisits);
  } else if (householdTarget === undefined) {
    householdVisits = Math.max(0, Math.min(householdVisits, visits - serviceVisits));
  }
  const gridMeasures = ['grid-visit.visits', 'grid-visit.household_visits', 'grid-visit.households_visited', 'grid-visit.grid_members_active', 'grid-visit.grids_active'];
  if (visits > 0 && (members === 0 || grids === 0)) fail('visits without a grid member or a grid', gridMeasures);
  if (visits < Math.max(members, grids)) fail(`${visits} visits cannot reach ${members} grid members and ${grids} grids`, gridMeasures);
  if (householdVisits + serviceVisits > visits) fail('more household and service visits than visits', gridMeasures);
  if (householdVisits + serviceVisits < households) fail(`${householdVisits + serviceVisits} household visits cannot reach ${households} households`, gridMeasures);
  const hazards = quota('grid-visit.hazards_found') ?? Math.round(visits * 0.03);
  if (hazards > visits * 100) fail('more than 100 hazards per visit', ['grid-visit.hazards_found', 'grid-visit.visits']);

  // Disputes: received, then how many of them are resolved, and where.
  const receivedTarget = quota('dispute-case.received');
  const resolvedTarget = quota('dispute-case.resolved');
  const defaultReceived = Math.round(activity.disputes_per_village_per_year * years * village.weight);
  const resolved = resolvedTarget ?? Math.round((receivedTarget ?? defaultReceived) * activity.resolution_rate);
  const received = receivedTarget ?? Math.max(resolved, resolvedTarget !== undefined ? Math.ceil(resolved / activity.resolution_rate) : defaultReceived);
  const resolvedInVillage = quota('dispute-case.resolved_in_village') ?? Math.round(resolved * activity.village_resolution_share);
  if (resolved > received || resolvedInVillage > resolved) fail('resolved exceeds received, or village resolutions exceed resolved', ['dispute-case.received', 'dispute-case.resolved', 'dispute-case.resolved_in_village']);

  return {
    village,
    grid: { visits, householdVisits, serviceVisits, households, members, grids, hazards },
    dispute: { received, resolved, resolvedInVillage },
    sales: planSales(village, scenario, allocation, random, months, fail),
  };
}

function planSales(village: ScenarioPlace, scenario: Scenario, allocation: Allocation, random: Random, months: number, fail: (m: string, measures: string[]) => never): SaleStream[] {
  // Targeted on the number of selling villages: this village sells (1) or does not (0).
  const sells = allocation.get('cooperative-sale.villages_selling|')?.get(village.code);
  if (sells === 0) return [];
  const streams: SaleStream[] = [];
  const own = scenario.cooperatives.filter((c) => c.village === village.code);
  const knownProducts = [...scenario.cooperatives.flatMap((c) => c.products), ...scenario.activity.default_products];
  const filters = new Set([...allocation.keys()].filter((k) => k.startsWith('cooperative-sale.')).map((k) => k.split('|')[1]!));
  const targetedProducts = new Set<string>();
  for (const filter of filters) {
    const fields = Object.fromEntries(filter.split(',').map((kv) => kv.split('=') as [string, string]));
    targetedProducts.add(fields.product!);
    const get = (measure: string) => allocation.get(`cooperative-sale.${measure}|${filter}`)?.get(village.code);
    let [sales, revenueFen, quantityMilli] = [get('sales'), get('revenue_fen'), get('quantity')];
    if (sales === undefined && revenueFen === undefined && quantityMilli === undefined) continue;
    const product = knownProducts.find((p) => p.name === fields.product && (!fields.unit || p.unit === fields.unit));
    const unit = fields.unit ?? product?.unit ?? 'kg';
    const price = product?.price_fen ?? 1_000;
    const pricePerMilli = price / QUANTITY_SCALE;
    revenueFen ??= quantityMilli !== undefined ? Math.round(quantityMilli * pricePerMilli) : (sales ?? 0) * price * 500;
    quantityMilli ??= Math.max(sales ?? 1, Math.round(revenueFen / pricePerMilli));
    sales ??= Math.max(revenueFen > 0 ? 1 : 0, Math.min(revenueFen, quantityMilli, Math.round(revenueFen / 5_000_000)));
    const measures = ['cooperative-sale.sales', 'cooperative-sale.revenue_fen', 'cooperative-sale.quantity'];
    if (sales > revenueFen || sales > quantityMilli) fail(`${sales} sales of ${fields.product} cannot each have a positive amount and quantity`, measures);
    if (sales === 0 && (revenueFen > 0 || quantityMilli > 0)) fail(`revenue or quantity of ${fields.product} without any sale`, measures);
    const cooperative = own.find((c) => c.products.some((p) => p.name === fields.product)) ?? own[0];
    streams.push({ cooperativeId: cooperative?.id ?? `${village.code}-COOP1`, product: fields.product!, unit, channel: fields.channel, sales, revenueFen, quantityMilli });
  }
  // Plausible sales of products no target speaks about, so targeted figures stay exact.
  const hasCooperative = own.length > 0 || sells === 1 || random.chance(scenario.activity.cooperative_share);
  const cooperatives = own.length > 0 ? own : hasCooperative ? [{ id: `${village.code}-COOP1`, products: scenario.activity.default_products }] : [];
  for (const cooperative of cooperatives) {
    for (const product of cooperative.products.filter((p) => !targetedProducts.has(p.name))) {
      // A village counted as selling sells at least once, however quiet the period.
      const sales = Math.max(sells === 1 && streams.length === 0 ? 1 : 0, Math.round(scenario.activity.sales_per_cooperative_per_month * months));
      if (sales === 0) continue;
      const lot = random.int(100, 2_000);
      streams.push({ cooperativeId: cooperative.id, product: product.name, unit: product.unit, sales, revenueFen: sales * lot * product.price_fen, quantityMilli: sales * lot * QUANTITY_SCALE });
    }
  }
  if (sells === 1 && !streams.some((stream) => stream.sales > 0)) fail('counted as a selling village, but no product is left for it to sell', ['cooperative-sale.villages_selling']);
  return streams;
}
