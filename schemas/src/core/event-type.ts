import type { z } from 'zod';
import type { RollupLevel } from './division-code.ts';
import type { Envelope } from './envelope.ts';
import type { RawTableSpec } from './raw-table.ts';
import type { RollupSpec } from './rollup-spec.ts';
import type { ScenarioPart } from './scenario-part.ts';
import type { BulletinPart } from './bulletin-part.ts';

/** One version of a contract: how its `data` is validated and how it maps onto raw columns. */
export interface ContractVersion {
  version: number;
  data: z.ZodType;
  /** Type-specific raw-table columns from validated data (common columns are filled elsewhere). */
  toColumns(data: unknown, event: Envelope): Record<string, unknown>;
  /** Events of other types that an event of this version also records (see FedEvent). */
  feeds?(data: unknown, event: Envelope): FedEvent[];
}

/**
 * An event of another type recorded inside an event, so what it carries is counted where it
 * belongs rather than dropped: the items one type itemises may be events of another. Ingest validates it
 * against that type's latest contract as an event of the same source, subject and (unless `time`
 * says otherwise) time, with the id `<event id>:<key>`, and loads it with the event that carries
 * it or not at all. An event whose fed events are invalid is refused whole.
 */
export interface FedEvent {
  /** Name of the type it is an event of. */
  type: string;
  /** Unique among the events one event feeds; letters, digits, . _ - */
  key: string;
  time?: string;
  data: Record<string, unknown>;
}

export function defineContractVersion<Schema extends z.ZodType>(
  version: number,
  data: Schema,
  toColumns: (data: z.output<Schema>, event: Envelope<z.output<Schema>>) => Record<string, unknown>,
  feeds?: (data: z.output<Schema>, event: Envelope<z.output<Schema>>) => FedEvent[],
): ContractVersion {
  return { version, data, toColumns: toColumns as ContractVersion['toColumns'], feeds: feeds as ContractVersion['feeds'] };
}

/** Example data of a type, for its tests and reference: valid events, and invalid ones with why. */
export interface EventExamples {
  valid: Record<string, unknown>[];
  /** `error` is a fragment of the validation error the data must give. */
  invalid: { what: string; data: Record<string, unknown>; error: string }[];
}

/**
 * Everything govstats knows about one event type lives in its folder under event-types/:
 * contract versions, raw table, rollup measures with their labels, scenario part, bulletin part,
 * demo columns and examples. Adding a type means adding a folder and listing it in ../registry.ts;
 * topics, DDL, validation, loading, queries, scenarios, bulletin, demo and bench iterate the registry.
 */
export interface EventTypeDefinition {
  /** Kebab-case name used in the CloudEvents `type` (govstats.<name>.v<N>) and in its topic name. */
  name: string;
  title: { en: string; zh: string };
  versions: ContractVersion[];
  /**
   * Levels of the places its events may belong to (the envelope's subject). An event counts at
   * its own place and every level above it, never below: a county party school's session is in
   * the county's and the city's figures, in no village's.
   */
  subjectLevels: readonly RollupLevel[];
  rawTable: RawTableSpec;
  rollup: RollupSpec;
  /** How scenarios plan and emit its events. */
  scenario: ScenarioPart;
  bulletin: BulletinPart;
  /** Measures shown as columns of the demo's rollup table. */
  demoColumns: string[];
  examples: EventExamples;
}
