export {
  DEFAULT_READER_LIMITS,
  DEFAULT_ROLE_NAMES,
  MIN_PASSWORD_LENGTH,
  loadAccessFile,
  parseAccessFile,
  scopePrefix,
  sha256Hex,
  type AccessSpec,
  type AccessUser,
  type ParseOptions,
  type ReaderLimits,
} from './access-file.ts';
export {
  ALL_ROWS_POLICY,
  SCOPE_POLICY_PREFIX,
  formatAccessScript,
  renderAccess,
  scopeCondition,
  scopePolicyName,
  type AccessStatement,
  type AccessStatementKind,
} from './render-access.ts';
export { applyAccess, type AccessOutcome } from './apply-access.ts';
export {
  ROLE_KINDS,
  bookkeepingTables,
  rawTables,
  readableViewSources,
  readableViews,
  rollupTables,
  tableUses,
  type RoleKind,
  type TablePrivilege,
  type TableUse,
} from './service-tables.ts';
