import { z } from 'zod';
import type { RollupLevel } from './division-code.ts';
import type { Random } from './random.ts';
import type { Calendar } from './scenario-calendar.ts';

/*
 * How an event type takes part in a scenario (services/producer/scenarios): the activity settings
 * it reads, the measures a scenario may target and how they bound one another, how it plans each
 * place's exact totals and how it emits them day by day. The scenario engine in services/producer
 * allocates targets and drives the days; it knows no type.
 */

/** A place that can produce events: a village or community, or a township, county or city. */
export interface ScenarioPlace {
  code: string;
  level: RollupLevel;
  /** Village-level places only: communities (居委会, 类似居委会) are urban, villages rural. */
  urban?: boolean;
  /** Relative size, so allocated totals are uneven the way real places are. */
  weight: number;
}

/** A place producing a type's events, and the villages whose people take part (itself, for a village). */
export interface Producer {
  place: ScenarioPlace;
  villages: string[];
}

/** A published figure a scenario must reproduce, e.g. a county's grid visits in a year. */
export interface ScenarioTarget {
  level: RollupLevel;
  code: string;
  scope: 'all' | 'urban' | 'rural';
  /** `<event type>.<measure>` */
  measure: string;
  value: number;
  filter: Partial<Record<string, string>>;
  source?: string;
}

/** Targets that cannot all hold; the message names them, and nothing is produced. */
export class ScenarioConflict extends Error {
  constructor(
    message: string,
    readonly targets: ScenarioTarget[],
  ) {
    super(`${message}\n${targets.map((t) => `  - ${targetLabel(t)}`).join('\n')}`);
  }
}

export function targetLabel(target: ScenarioTarget): string {
  const filter = filterKey(target.filter);
  return `${target.level} ${target.code}${target.scope === 'all' ? '' : ` (${target.scope})`}: ${target.measure}${filter ? ` [${filter}]` : ''} = ${target.value}`;
}

/** A target's filter as a stable key, `product=香菇,unit=kg` ('' for none). */
export function filterKey(filter: Partial<Record<string, string>>): string {
  return Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** `product=香菇,unit=kg` → { product: '香菇', unit: 'kg' } */
export function parseFilterKey(key: string): Record<string, string> {
  return Object.fromEntries(key === '' ? [] : key.split(',').map((kv) => kv.split('=') as [string, string]));
}

/** A measure of the type that scenarios may target. */
export interface TargetMeasure {
  measure: string;
  /** It can never exceed this other measure of the type in a place; `conflict` says so when two targets disagree. */
  atMost?: { measure: string; conflict: string };
  /**
   * It counts villages with activity of the type: each village is in (1) or out (0), and the
   * type's other targets are then placed only in villages that are in.
   */
  countsVillages?: boolean;
  /**
   * It counts villages reaching a threshold (a PlaceThreshold): each village is in (1) or out (0),
   * and the plan keeps a village that is out below the threshold. Other targets are not gated.
   */
  countsVillagesReaching?: boolean;
  /** Allocated in whole steps of 1/scale: quantities are targeted to 3 decimals with 1000. */
  scale?: number;
  /** Each place gets at least this much when the total allows (a village with grid work has a grid). */
  minimumPerPlace?: number;
  /** Filters a target on it may carry (the generator must honour them exactly); none when absent. */
  filters?: { accepts(filter: Record<string, string>): boolean; described: string };
}

/** What a type's planner is given for one producing place. */
export interface PlanContext<Settings> {
  producer: Producer;
  settings: Settings;
  /** Length of the scenario's period. */
  months: number;
  random: Random;
  /** The share of a target this place was given, if any target names the measure (and filter). */
  quota(measure: string, filter?: string): number | undefined;
  /** Filters (as `filterKey`) of the targets on the type's measures, optionally of one measure. */
  targetedFilters(measure?: string): string[];
  /** Throws a conflict naming the targets of these measures that gave this place a share. */
  fail(message: string, measures: string[]): never;
}

/** One day of a producer's plan. */
export interface DayContext {
  /** Index of the day in the calendar. */
  day: number;
  dayStart: number;
  calendar: Calendar;
  /** Seeded per type, place and day: the same scenario gives the same events. */
  random: Random;
}

/** One event a plan emits: `key` is unique among the producer's events of the type. */
export interface PlannedEvent {
  key: string;
  time: number;
  data: Record<string, unknown>;
}

export interface ScenarioPartSpec<Activity extends z.ZodRawShape, Settings extends z.ZodRawShape, Plan> {
  /** Keys it adds under the scenario's `activity`, each with a default. */
  activity: Activity;
  /** Top-level scenario keys it adds (e.g. named cooperatives), each with a default. */
  settings?: Settings;
  targets: TargetMeasure[];
  /** Contract version of the data it emits. */
  version?: number;
  /** Who produces its events; every village of the scenario by default. `noun` names them in errors. */
  producers?(villages: ScenarioPlace[], settings: ScenarioSettings<Activity, Settings>): { producers: Producer[]; noun: string };
  /** Checks between targets that only the type understands, before anything is allocated. */
  checkTargets?(targets: ScenarioTarget[]): void;
  plan(context: PlanContext<ScenarioSettings<Activity, Settings>>): Plan;
  emitDay(plan: Plan, day: DayContext): Iterable<PlannedEvent>;
}

export type ScenarioSettings<Activity extends z.ZodRawShape, Settings extends z.ZodRawShape> = z.output<z.ZodObject<Activity>> &
  z.output<z.ZodObject<Settings>>;

/** A scenario part with its types erased, as the registry and the engine hold it. */
export interface ScenarioPart {
  activity: z.ZodRawShape;
  settings: z.ZodRawShape;
  targets: TargetMeasure[];
  version: number;
  producers(villages: ScenarioPlace[], scenario: ParsedScenarioSettings): { producers: Producer[]; noun: string };
  checkTargets(targets: ScenarioTarget[]): void;
  plan(context: PlanContext<ParsedScenarioSettings>): unknown;
  emitDay(plan: unknown, day: DayContext): Iterable<PlannedEvent>;
}

/** The parsed scenario as the engine passes it: `activity` and the top-level keys. */
export interface ParsedScenarioSettings {
  activity: Record<string, unknown>;
  [key: string]: unknown;
}

const everyVillage = (villages: ScenarioPlace[]) => ({
  producers: villages.map((place) => ({ place, villages: [place.code] })),
  noun: 'village or community',
});

/** Declares a type's scenario part; its settings arrive typed and parsed with their defaults. */
export function defineScenarioPart<
  Activity extends z.ZodRawShape,
  Settings extends z.ZodRawShape = Record<never, z.ZodType>,
  Plan = unknown,
>(spec: ScenarioPartSpec<Activity, Settings, Plan>): ScenarioPart {
  const settings = (spec.settings ?? {}) as Settings;
  const activitySchema = z.object(spec.activity);
  const settingsSchema = z.object(settings);
  type Typed = ScenarioSettings<Activity, Settings>;
  // Parsed once per scenario, not once per place: plan() runs for every village.
  const parsed = new WeakMap<ParsedScenarioSettings, Typed>();
  const typed = (scenario: ParsedScenarioSettings): Typed => {
    let typedSettings = parsed.get(scenario);
    if (!typedSettings) {
      typedSettings = { ...activitySchema.parse(scenario.activity), ...settingsSchema.parse(scenario) } as Typed;
      parsed.set(scenario, typedSettings);
    }
    return typedSettings;
  };
  return {
    activity: spec.activity,
    settings,
    targets: spec.targets,
    version: spec.version ?? 1,
    producers: (villages, scenario) => (spec.producers ? spec.producers(villages, typed(scenario)) : everyVillage(villages)),
    checkTargets: (targets) => spec.checkTargets?.(targets),
    plan: (context) => spec.plan({ ...context, settings: typed(context.settings) }),
    emitDay: (plan, day) => spec.emitDay(plan as Plan, day),
  };
}
