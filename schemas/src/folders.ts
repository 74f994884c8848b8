import { join } from 'node:path';
import type { EventTypeDefinition } from './core/event-type.ts';

/**
 * Where a type's files live: everything about a type, generated files included (its JSON Schemas,
 * its reference README.md, the checksums of its migrations), is in its folder, so adding a type
 * touches nothing else but its line in registry.ts.
 */
export const SCHEMAS_DIR = join(import.meta.dirname, '..');
export const EVENT_TYPES_DIR = join(import.meta.dirname, 'event-types');

/** The folder of a type: schemas/src/event-types/<type name>/ (registry.ts imports its index.ts). */
export function eventTypeFolder(type: Pick<EventTypeDefinition, 'name'>): string {
  return join(EVENT_TYPES_DIR, type.name);
}
