import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssues, divisionCode } from '@govstats/schemas';

/**
 * A scenario: places, a period and target totals for rollup measures. Whatever the targets do
 * not state is filled in plausibly from `activity`. See services/producer/scenarios/README.md.
 */
const isoDate = z.iso.date();

export const TARGET_MEASURES = {
  'grid-visit': ['visits', 'household_visits', 'households_visited', 'grid_members_active', 'grids_active', 'hazards_found'],
  'dispute-case': ['received', 'resolved', 'resolved_in_village'],
  'training-attendance': ['sessions', 'attendances', 'attendees'],
  'cooperative-sale': ['sales', 'revenue_fen', 'quantity', 'villages_selling'],
} as const;

/** Levels that can run training sessions: a village, or a township, county or city school. */
export const ORGANISER_LEVELS = ['village', 'township', 'county', 'city'] as const;

const measureName = z
  .string()
  .refine((m) => {
    const [type, measure] = m.split('.');
    return (TARGET_MEASURES as Record<string, readonly string[]>)[type ?? '']?.includes(measure ?? '') ?? false;
  }, `must be <event type>.<measure>, one of: ${Object.entries(TARGET_MEASURES).flatMap(([t, ms]) => ms.map((m) => `${t}.${m}`)).join(', ')}`);

export const targetSchema = z
  .object({
    level: z.enum(['city', 'county', 'township', 'village']),
    code: divisionCode,
    /** Only events of urban communities (居委会, 类似居委会) or of rural villages (村委会, 类似村委会) under `code`. */
    scope: z.enum(['all', 'urban', 'rural']).default('all'),
    measure: measureName,
    value: z.number().nonnegative(),
    /** Rollup dimensions the figure is restricted to, e.g. { kind: service_delivery } or { product: 香菇, unit: t }. */
    filter: z.partialRecord(z.enum(['kind', 'role', 'product', 'unit', 'channel']), z.string().min(1)).default({}),
    /** Where the figure was published. */
    source: z.string().optional(),
  })
  .strict();

const productSchema = z.object({ name: z.string().min(1).max(64), unit: z.enum(['kg', 't', 'jin', 'piece', 'box', 'litre']), price_fen: z.int().positive() }).strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    period: z.object({ from: isoDate, to: isoDate }).strict().refine((p) => p.from <= p.to, 'from must not be after to'),
    seed: z.int().default(1),
    /** Roots of the places: every village and community under these codes in the division catalogue. */
    places: z.array(divisionCode).min(1),
    /** Cooperatives of particular villages; other villages get plausible ones from `activity`. */
    cooperatives: z
      .array(z.object({ village: divisionCode, id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/), name: z.string().optional(), products: z.array(productSchema).min(1) }).strict())
      .default([]),
    targets: z.array(targetSchema).default([]),
    activity: z
      .object({
        visits_per_member_per_month: z.number().nonnegative().default(20),
        households_per_village: z.int().positive().default(300),
        grids_per_village: z.int().positive().default(6),
        disputes_per_village_per_year: z.number().nonnegative().default(6),
        resolution_rate: z.number().min(0).max(1).default(0.93),
        village_resolution_share: z.number().min(0).max(1).default(0.8),
        training_sessions_per_village_per_year: z.number().nonnegative().default(6),
        attendances_per_session: z.int().positive().default(25),
        /**
         * Who runs training sessions, as relative shares of the sessions: villages by default; a
         * county party school or city school counts at its own level and above, and draws its
         * attendees from the villages under it.
         */
        training_organised_by: z
          .partialRecord(z.enum(ORGANISER_LEVELS), z.number().positive())
          .refine((shares) => Object.keys(shares).length > 0, 'name at least one level')
          .default({ village: 1 }),
        cooperative_share: z.number().min(0).max(1).default(0.3),
        sales_per_cooperative_per_month: z.number().nonnegative().default(4),
        default_products: z.array(productSchema).min(1).default([{ name: '核桃', unit: 'kg', price_fen: 2_000 }]),
      })
      .strict()
      .prefault({}),
    /** Shares of the stream made faulty on purpose, for testing consumers (0 = clean). */
    inject: z
      .object({
        invalid: z.number().min(0).max(0.5).default(0),
        duplicates: z.number().min(0).max(0.5).default(0),
        out_of_order: z.number().min(0).max(0.5).default(0),
        late: z.number().min(0).max(0.5).default(0),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type Target = z.output<typeof targetSchema>;

/** Reads and checks a scenario file (YAML or JSON); the error names the file and every problem. */
export function loadScenario(path: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not readable YAML/JSON: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: not a valid scenario: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function targetLabel(target: Target): string {
  const filter = Object.entries(target.filter).map(([k, v]) => `${k}=${v}`).join(',');
  return `${target.level} ${target.code}${target.scope === 'all' ? '' : ` (${target.scope})`}: ${target.measure}${filter ? ` [${filter}]` : ''} = ${target.value}`;
}
