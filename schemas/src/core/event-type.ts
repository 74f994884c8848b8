import type { z } from 'zod';
import type { RollupLevel } from './division-code.ts';
import type { Envelope } from './envelope.ts';
import type { RawTableSpec } from './raw-table.ts';
import type { RollupSpec } from './rollup-spec.ts';
import type { Random } from './random.ts';

/** One version of a contract: how its `data` is validated and how it maps onto raw columns. */
export interface ContractVersion {
  version: number;
  data: z.ZodType;
  /** Type-specific raw-table columns from validated data (common columns are filled elsewhere). */
  toColumns(data: unknown, event: Envelope): Record<string, unknown>;
}

export function defineContractVersion<Schema extends z.ZodType>(
  version: number,
  data: Schema,
  toColumns: (data: z.output<Schema>, event: Envelope<z.output<Schema>>) => Record<string, unknown>,
): ContractVersion {
  return { version, data, toColumns: toColumns as ContractVersion['toColumns'] };
}

/** A village as the sample generators see it: its grids, people and cooperatives. */
export interface SampleVillage {
  code: string;
  grids: { id: string; members: string[] }[];
  households: string[];
  residents: string[];
  cooperatives: { id: string; products: { name: string; unit: string; pricePerUnitFen: number }[] }[];
}

export interface SampleContext {
  random: Random;
  village: SampleVillage;
  /** Midnight (Asia/Shanghai) of the day to generate, as epoch milliseconds. */
  dayStart: number;
}

/** What a generator produces: the data of one event and when it happened. */
export interface SampledEvent {
  time: number;
  data: Record<string, unknown>;
}

/**
 * Everything govstats knows about one event type lives in its folder under event-types/:
 * contract versions, raw table, rollup and sample generator. Adding a type means adding a folder
 * and listing it in ../registry.ts.
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
  /** Plausible events of this type for one village on one day. */
  sampleDay(context: SampleContext): SampledEvent[];
}
