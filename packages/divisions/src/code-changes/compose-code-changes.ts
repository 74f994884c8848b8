import { weakerMethod, type CodeChange } from './code-change.ts';

/** What composing needs of the newest edition: whether it lists a code, and the place's name there. */
export interface NewestEdition {
  has(code: string): boolean;
  get(code: string): { name: string } | undefined;
}

/**
 * Chains the changes of consecutive edition pairs (oldest pair first) so every retired code points
 * at a place of the newest edition: 140421100000 韩店镇 became 140404100000 in 2018, which became
 * 140404001000 韩店街道 later, so it maps to 140404001000. A chain is as certain as its weakest link.
 *
 * Only codes the newest edition does not list are kept: a code reused for another place later is
 * that place's code now, and must not be mapped away from it. A code retired, reused and retired
 * again keeps its latest retirement, the meaning it had most recently.
 *
 * `relocations[i]`, if given, lists the codes step i's newer edition gave to another place while
 * their place moved to a new code (see deriveRelocatedCodes); a chain that reached such a code
 * follows its place.
 */
export function composeCodeChanges(
  steps: CodeChange[][],
  newest: NewestEdition,
  relocations: ReadonlyMap<string, string>[] = [],
): CodeChange[] {
  const composed = new Map<string, CodeChange>();
  steps.forEach((step, i) => {
    const stepByCode = new Map(step.map((change) => [change.retiredCode, change]));
    for (const [retiredCode, change] of composed) {
      const next = stepByCode.get(change.currentCode);
      const relocatedTo = relocations[i]?.get(change.currentCode);
      if (next)
        composed.set(retiredCode, {
          ...change,
          currentCode: next.currentCode,
          currentName: next.currentName,
          currentLevel: next.currentLevel,
          method: weakerMethod(change.method, next.method),
        });
      else if (relocatedTo) composed.set(retiredCode, { ...change, currentCode: relocatedTo });
    }
    for (const change of step) composed.set(change.retiredCode, change);
  });
  const table: CodeChange[] = [];
  for (const change of composed.values()) {
    if (newest.has(change.retiredCode)) continue;
    const current = newest.get(change.currentCode);
    if (!current)
      throw new Error(
        `${change.retiredCode} ${change.retiredName} maps to ${change.currentCode}, which the newest edition does not list: are the steps in order and complete?`,
      );
    table.push({ ...change, currentName: current.name });
  }
  return table.sort((a, b) => (a.retiredCode < b.retiredCode ? -1 : 1));
}
