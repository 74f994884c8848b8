import type { ContractVersion, EventTypeDefinition } from './core/event-type.ts';
import { checkRegistry } from './core/registry-check.ts';
import { cadresInPost } from './event-types/cadres-in-post/index.ts';
import { collectiveIncome } from './event-types/collective-income/index.ts';
import { cooperativeSale } from './event-types/cooperative-sale/index.ts';
import { disputeCase } from './event-types/dispute-case/index.ts';
import { gridRegister } from './event-types/grid-register/index.ts';
import { gridVisit } from './event-types/grid-visit/index.ts';
import { hazard } from './event-types/hazard/index.ts';
import { partyPoints } from './event-types/party-points/index.ts';
import { serviceRequest } from './event-types/service-request/index.ts';
import { starRating } from './event-types/star-rating/index.ts';
import { trainingAttendance } from './event-types/training-attendance/index.ts';

/** Every event type govstats ingests, in bulletin order. A new type is a new folder under event-types/, its import and its entry here. */
export const EVENT_TYPES: readonly EventTypeDefinition[] = [
  gridVisit,
  gridRegister,
  cadresInPost,
  serviceRequest,
  disputeCase,
  hazard,
  starRating,
  partyPoints,
  trainingAttendance,
  collectiveIncome,
  cooperativeSale,
];

checkRegistry(EVENT_TYPES);

const byName = new Map(EVENT_TYPES.map((t) => [t.name, t]));

export function eventTypeByName(name: string): EventTypeDefinition | undefined {
  return byName.get(name);
}

export function contractVersion(type: EventTypeDefinition, version: number): ContractVersion | undefined {
  return type.versions.find((v) => v.version === version);
}

export function latestVersion(type: EventTypeDefinition): number {
  return Math.max(...type.versions.map((v) => v.version));
}

/** The CloudEvents `type` attribute for a version of an event type. */
export function cloudEventType(type: EventTypeDefinition, version = latestVersion(type)): string {
  return `govstats.${type.name}.v${version}`;
}

/** A measure key qualified by its type, `dispute-case.received`: unique across all types. */
export function measureKey(type: EventTypeDefinition, measure: string): string {
  return `${type.name}.${measure}`;
}
