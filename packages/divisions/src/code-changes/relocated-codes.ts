import { codePrefix, type DivisionCatalogue } from '../catalogue.ts';
import { NameIndex } from './name-index.ts';
import { placeNameKeys } from './place-names.ts';

/**
 * Codes both editions list but for different places: the place moved to a new code and the old
 * code was given to another place. 232701 was 加格达奇区 in NBS 2017 and is 漠河市 in 2018, which
 * lists 加格达奇区 as 232761; 150925103 was 岱海镇 and became 鸿茅镇 when 岱海镇 got 150925108.
 * Returns old code → the code its place has now, when the place's name is found on exactly one
 * new code under the same parent (exact name, else strict, else loose keys).
 *
 * These codes are not retired, so they are not in the change table themselves (an event carrying
 * 232701 today means 漠河市); but a chain of changes that reached 232701 before 2018 meant 加格达奇区
 * and must follow it to 232761.
 */
export function deriveRelocatedCodes(older: DivisionCatalogue, newer: DivisionCatalogue): Map<string, string> {
  const names = NameIndex.of(newer);
  const relocated = new Map<string, string>();
  for (const before of older) {
    const now = newer.get(before.code);
    if (!now || now.name === before.name) continue;
    const keys = placeNameKeys(before.name, before.level);
    if (keys.loose === placeNameKeys(now.name, now.level).loose) continue;
    const parent = newer.parentOf(now);
    const prefix = parent === undefined ? '' : codePrefix(parent, newer.get(parent)!.level);
    const isNewSibling = (code: string): boolean => !older.has(code) && newer.parentOf({ code, level: before.level }) === parent;
    const strict = names.find('strict', before.level, keys.strict, prefix).filter(isNewSibling);
    const exact = strict.filter((code) => newer.get(code)!.name === before.name);
    const candidates =
      exact.length > 0 ? exact : strict.length > 0 ? strict : names.find('loose', before.level, keys.loose, prefix).filter(isNewSibling);
    if (candidates.length === 1) relocated.set(before.code, candidates[0]!);
  }
  return relocated;
}
