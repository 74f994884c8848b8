import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  EVENT_TYPES,
  describeIssues,
  divisionCode,
  measureKey,
  type EventTypeDefinition,
  type ScenarioTarget,
  type TargetMeasure,
} from '@govstats/schemas';

/**
 * A scenario: places, a period and target totals for rollup measures. Whatever the targets do
 * not state is filled in plausibly from `activity`. Each event type adds its own keys (see its
 * scenario.ts and the README.md of its folder); see services/producer/scenarios/README.md.
 */
const isoDate = z.iso.date();

/** Every targetable measure by its qualified key, `<type>.<measure>`, with its type. */
export const TARGET_MEASURES: ReadonlyMap<string, { type: EventTypeDefinition; target: TargetMeasure }> = new Map(
  EVENT_TYPES.flatMap((type) => type.scenario.targets.map((target) => [measureKey(type, target.measure), { type, target }] as const)),
);

const measureName = z
  .string()
  .refine((m) => TARGET_MEASURES.has(m), `must be <event type>.<measure>, one of: ${[...TARGET_MEASURES.keys()].join(', ')}`);

/** Dimensions a target's filter may name: any rollup dimension of any type. */
const FILTER_KEYS = [...new Set(EVENT_TYPES.flatMap((t) => t.rollup.dimensions.map((d) => d.name)))] as [string, ...string[]];

export const targetSchema = z
  .object({
    level: z.enum(['city', 'county', 'township', 'village']),
    code: divisionCode,
    /** Only events of urban communities (居委会, 类似居委会) or of rural villages (村委会, 类似村委会) under `code`. */
    scope: z.enum(['all', 'urban', 'rural']).default('all'),
    measure: measureName,
    value: z.number().nonnegative(),
    /** Rollup dimensions the figure is restricted to, e.g. { kind: service_delivery } or { product: 香菇, unit: t }. */
    filter: z.partialRecord(z.enum(FILTER_KEYS), z.string().min(1)).default({}),
    /** Where the figure was published. */
    source: z.string().optional(),
  })
  .strict();

const typeShapes = <K extends 'activity' | 'settings'>(key: K): z.ZodRawShape =>
  Object.assign({}, ...EVENT_TYPES.map((t) => t.scenario[key]));

const baseSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  period: z
    .object({ from: isoDate, to: isoDate })
    .strict()
    .refine((p) => p.from <= p.to, 'from must not be after to'),
  seed: z.int().default(1),
  /**
   * Event ids: `readable` names the place, type and event (clustered by village); `uuid` gives
   * each one a UUID as real producers send, derived from the readable id so the stream stays
   * reproducible (and duplicates injected on purpose keep their id).
   */
  ids: z.enum(['readable', 'uuid']).default('readable'),
  /** Roots of the places: every village and community under these codes in the division catalogue. */
  places: z.array(divisionCode).min(1),
  targets: z.array(targetSchema).default([]),
  /** How busy places are where no target speaks: each type's keys, with defaults. */
  activity: z.object(typeShapes('activity')).strict().prefault({}),
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
});

/**
 * The whole scenario: the keys above and the top-level keys of the types, e.g. named cooperatives.
 * Typed by hand: the types' keys are only known at run time, and each type reads its own parsed.
 */
export const scenarioSchema = baseSchema.extend(typeShapes('settings')).strict() as unknown as z.ZodType<Scenario, unknown>;

type BaseScenario = Omit<z.output<typeof baseSchema>, 'activity' | 'targets'>;

export type Target = ScenarioTarget & z.output<typeof targetSchema>;
export type Scenario = BaseScenario & { targets: Target[]; activity: Record<string, unknown>; [typeKey: string]: unknown };

/** Reads and checks a scenario file (YAML or JSON); the error names the file and every problem. */
export function loadScenario(path: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not readable YAML/JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: not a valid scenario: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
