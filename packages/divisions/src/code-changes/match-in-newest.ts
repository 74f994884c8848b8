import { codePrefix, type DivisionCatalogue } from '../catalogue.ts';
import type { CodeChange } from './code-change.ts';
import { NameIndex } from './name-index.ts';
import { placeNameKeys } from './place-names.ts';

/**
 * Gives changes that fell back to an ancestor a second look in the newest edition: a place left
 * out of one edition and listed again later (伊春's 旭日街道 is missing from NBS 2017 and back as
 * 230717004 in 2019) has no successor from one edition to the next, but the newest edition lists
 * it under that ancestor. Accepted on the same terms as a same-name match: one place of that name
 * directly under the ancestor, exact name first, then strict, then loose keys.
 */
export function matchAncestorsInNewest(table: CodeChange[], newest: DivisionCatalogue): CodeChange[] {
  const names = NameIndex.of(newest);
  return table.map((change) => {
    if (change.method !== 'ancestor') return change;
    const underAncestor = (code: string): boolean => newest.parentOf({ code, level: change.retiredLevel }) === change.currentCode;
    const prefix = codePrefix(change.currentCode, change.currentLevel);
    const keys = placeNameKeys(change.retiredName, change.retiredLevel);
    const strict = names.find('strict', change.retiredLevel, keys.strict, prefix).filter(underAncestor);
    const exact = strict.filter((code) => newest.get(code)!.name === change.retiredName);
    const candidates =
      exact.length > 0
        ? exact
        : strict.length > 0
          ? strict
          : names.find('loose', change.retiredLevel, keys.loose, prefix).filter(underAncestor);
    if (candidates.length !== 1) return change;
    const current = newest.get(candidates[0]!)!;
    return { ...change, currentCode: current.code, currentName: current.name, currentLevel: current.level, method: 'same_name_in_newest' };
  });
}
