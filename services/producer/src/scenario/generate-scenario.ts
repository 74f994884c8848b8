import { NATIONAL_EDITION, nationalCatalogue } from '@govstats/divisions';
import {
  DAY_MS,
  EVENT_TYPES,
  Random,
  ScenarioConflict,
  buildCalendar,
  type Calendar,
  type Envelope,
  type EventTypeDefinition,
  type Producer,
  type ScenarioPlace,
} from '@govstats/schemas';
import { v5 as uuidv5 } from 'uuid';
import { toEnvelope } from '../envelope.ts';
import { allocateTargets, groupKey, type Allocation } from './allocate.ts';
import { TARGET_MEASURES, type Scenario, type Target } from './scenario-file.ts';

/** One type's producing places and what each of them will emit over the period. */
export interface TypePlans {
  type: EventTypeDefinition;
  producers: Producer[];
  plans: unknown[];
}

export interface PreparedScenario {
  scenario: Scenario;
  seed: number;
  types: TypePlans[];
  calendar: Calendar;
}

/** A number per type name, so each type draws its own random stream. */
function typeSalt(type: EventTypeDefinition): number {
  let hash = 0x811c9dc5;
  for (const char of type.name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}

/** Rejects filters the types cannot honour exactly, naming the target. */
function checkFilters(targets: Target[]): void {
  for (const target of targets) {
    const { filters } = TARGET_MEASURES.get(target.measure)!.target;
    const filter = target.filter as Record<string, string>;
    const ok = filters ? filters.accepts(filter) : Object.keys(filter).length === 0;
    if (!ok)
      throw new ScenarioConflict(`filter not supported for ${target.measure} (supported: ${filters?.described ?? 'none'})`, [target]);
  }
}

/** The targets on one type's measures, with the measure unqualified, as its part sees them. */
function targetsOf(type: EventTypeDefinition, targets: Target[]): Target[] {
  const prefix = `${type.name}.`;
  return targets.filter((t) => t.measure.startsWith(prefix)).map((t) => ({ ...t, measure: t.measure.slice(prefix.length) }));
}

/**
 * Checks every target and works out each place's plan, type by type. Throws ScenarioConflict,
 * naming the targets, before a single event exists: a scenario either produces all its figures or nothing.
 */
export function prepareScenario(scenario: Scenario, seed = scenario.seed): PreparedScenario {
  const catalogue = nationalCatalogue();
  for (const code of scenario.places) {
    if (!catalogue.has(code))
      throw new Error(
        `place ${code} is not in the division catalogue (${NATIONAL_EDITION.title}); find codes with \`govstats divisions search NAME\``,
      );
  }
  const random = new Random(seed);
  const villages: ScenarioPlace[] = [...new Set(scenario.places)]
    .flatMap((code) => catalogue.within(code))
    .filter((d) => d.level === 'village')
    .map((d) => ({ code: d.code, level: 'village', urban: d.area === 'urban', weight: 0.5 + random.next() }));
  if (villages.length === 0) throw new Error(`no village or community of the division catalogue lies under ${scenario.places.join(', ')}`);
  checkFilters(scenario.targets);
  for (const type of EVENT_TYPES) type.scenario.checkTargets(targetsOf(type, scenario.targets));

  const producers = new Map(EVENT_TYPES.map((type) => [type.name, type.scenario.producers(villages, scenario)]));
  const allocation = allocateTargets(scenario.targets, (measure) => {
    const { producers: places, noun } = producers.get(TARGET_MEASURES.get(measure)!.type.name)!;
    return { places: places.map((p) => p.place), noun };
  });
  const months = periodMonths(scenario);
  return {
    scenario,
    seed,
    types: EVENT_TYPES.map((type) => {
      const typeProducers = producers.get(type.name)!.producers;
      const plans = typeProducers.map((producer) =>
        type.scenario.plan({
          producer,
          settings: scenario,
          months,
          random: new Random(seed ^ Number(producer.place.code.slice(4)) ^ typeSalt(type)),
          ...quotaLookups(type, producer.place, allocation, scenario.targets),
        }),
      );
      return { type, producers: typeProducers, plans };
    }),
    calendar: buildCalendar(scenario.period.from, scenario.period.to),
  };
}

/** Months of the scenario's period, as the plans count them. */
function periodMonths(scenario: Scenario): number {
  return (Date.parse(scenario.period.to) - Date.parse(scenario.period.from)) / DAY_MS / 30.44 + 1 / 30.44;
}

/** A place's view of the allocation: its quotas of the type's measures, and a way to fail naming their targets. */
function quotaLookups(type: EventTypeDefinition, place: ScenarioPlace, allocation: Allocation, targets: Target[]) {
  const qualified = (measure: string) => `${type.name}.${measure}`;
  return {
    quota: (measure: string, filter = '') => allocation.get(`${qualified(measure)}|${filter}`)?.get(place.code),
    targetedFilters: (measure?: string) => {
      const prefix = measure === undefined ? `${type.name}.` : `${qualified(measure)}|`;
      return [...new Set([...allocation.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.split('|')[1]!))];
    },
    fail: (message: string, measures: string[]): never => {
      const keys = measures.map(qualified);
      const involved = targets.filter((t) => keys.includes(t.measure) && allocation.get(groupKey(t))?.has(place.code));
      throw new ScenarioConflict(`${place.level} ${place.code}: ${message}`, involved);
    },
  };
}

/** Namespace of the UUIDs (version 5) a scenario with `ids: uuid` gives its events. */
const SCENARIO_ID_NAMESPACE = '6f1e8a52-3c1d-4b7e-9a0f-2d5c8e4b1a93';

/** Events of the prepared scenario, day by day, type by type, place by place; memory does not grow with the stream. */
export function* scenarioEvents({ scenario, seed, types, calendar }: PreparedScenario): Generator<Envelope> {
  const source = `urn:govstats:scenario:${scenario.name.replace(/[^A-Za-z0-9._:-]+/g, '-')}`;
  for (let day = 0; day < calendar.days.length; day++) {
    const dayStart = calendar.days[day]!;
    for (const { type, producers, plans } of types) {
      const salt = typeSalt(type);
      for (let i = 0; i < producers.length; i++) {
        const code = producers[i]!.place.code;
        const random = new Random(seed ^ Number(code.slice(3)) ^ Math.imul(day + 1, 2654435761) ^ salt);
        for (const event of type.scenario.emitDay(plans[i], { day, dayStart, calendar, random })) {
          const readable = `s${seed}-${code}-${type.name}-${event.key}`;
          const id = scenario.ids === 'uuid' ? uuidv5(readable, SCENARIO_ID_NAMESPACE) : readable;
          const record = { id, subject: code, time: event.time, data: event.data };
          yield toEnvelope(type, record, source, type.scenario.version);
        }
      }
    }
  }
}
