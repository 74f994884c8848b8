import { deriveCodeChanges, type DivisionCatalogue } from '@govstats/divisions';
import type { CodeChangeRow } from '@govstats/warehouse';

/** Successors of the places a complete edition no longer lists, found by comparing it with what was loaded. */
export function deriveChangesForLoad(edition: string): (before: DivisionCatalogue, after: DivisionCatalogue) => CodeChangeRow[] {
  return (before, after) => deriveCodeChanges(before, after, { older: 'loaded', newer: edition });
}
