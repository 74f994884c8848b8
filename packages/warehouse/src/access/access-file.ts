import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PREFIX_LENGTH, describeIssues, levelOfCode } from '@govstats/schemas';
import { ROLE_KINDS, type RoleKind } from './service-tables.ts';

/**
 * The access file (CLICKHOUSE_ACCESS_FILE): the roles, users and scopes `govstats migrate` keeps
 * in place on a ClickHouse server. Passwords are read here and only their SHA-256 leaves this
 * module: no statement, log line or rendered file ever holds one in clear.
 * infra/clickhouse/access.yaml is the commented example docker-compose.yml applies.
 */

export const DEFAULT_ROLE_NAMES: Readonly<Record<RoleKind, string>> = {
  migrator: 'govstats_migrator',
  ingest: 'govstats_ingest',
  bulletin: 'govstats_bulletin',
  reader: 'govstats_reader',
};

/** Defaults of the reader's read-only profile; the same limits as `govstats serve`. */
export const DEFAULT_READER_LIMITS = { maxExecutionTime: 30, maxMemoryUsage: 2_000_000_000, maxResultRows: 100_000 } as const;

/** Stored as an unsalted SHA-256, so only long random passwords are safe against guessing. */
export const MIN_PASSWORD_LENGTH = 16;

export interface ReaderLimits {
  /** Seconds one query may run. */
  maxExecutionTime: number;
  /** Bytes one query may use. */
  maxMemoryUsage: number;
  /** Rows one answer may hold; a bigger one fails rather than being cut short. */
  maxResultRows: number;
}

export interface AccessUser {
  name: string;
  role: RoleKind;
  /** Lower-case hex SHA-256 of the password: what `IDENTIFIED WITH sha256_hash` takes. */
  passwordSha256: string;
  /** Readers only: the division-code prefix of the one place whose figures they may see. */
  scope?: string;
  /** Addresses or networks the user may connect from; unset = any. */
  hostIps?: string[];
}

export interface AccessSpec {
  roles: Readonly<Record<RoleKind, string>>;
  readerLimits: ReaderLimits;
  users: AccessUser[];
}

/** Names end up in SQL unquoted: the same rule as every other identifier govstats renders. */
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and _ only (at most 64), not starting with a digit');

const rolesSchema = z
  .object({
    migrator: identifier.default(DEFAULT_ROLE_NAMES.migrator),
    ingest: identifier.default(DEFAULT_ROLE_NAMES.ingest),
    bulletin: identifier.default(DEFAULT_ROLE_NAMES.bulletin),
    reader: identifier.default(DEFAULT_ROLE_NAMES.reader),
  })
  .strict();

const limitsSchema = z
  .object({
    max_execution_time: z.number().int().min(1).max(3_600).default(DEFAULT_READER_LIMITS.maxExecutionTime),
    max_memory_usage: z.number().int().min(10_000_000).default(DEFAULT_READER_LIMITS.maxMemoryUsage),
    max_result_rows: z.number().int().min(1).max(1_000_000_000).default(DEFAULT_READER_LIMITS.maxResultRows),
  })
  .strict();

const hostIp = z.string().refine((value) => {
  const [address = '', mask, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return mask === undefined || (/^\d{1,3}$/.test(mask) && Number(mask) <= (version === 4 ? 32 : 128));
}, 'must be an IP address or network, e.g. 10.0.0.0/8');

const userSchema = z
  .object({
    name: identifier,
    role: z.enum(ROLE_KINDS),
    password_file: z.string().min(1).optional(),
    password_sha256: z
      .string()
      .regex(/^[0-9A-Fa-f]{64}$/, 'must be 64 hex digits: the SHA-256 of the password')
      .optional(),
    scope: z
      .union([z.string(), z.number()])
      .transform(String)
      .optional()
      .describe('division-code prefix (or the 12-digit code) of the place a reader may see'),
    host_ip: z.array(hostIp).min(1).optional(),
  })
  .strict()
  .superRefine((user, context) => {
    if ((user.password_file === undefined) === (user.password_sha256 === undefined))
      context.addIssue({ code: 'custom', message: 'give exactly one of password_file and password_sha256' });
    if (user.scope !== undefined && user.role !== 'reader')
      context.addIssue({ code: 'custom', path: ['scope'], message: 'only readers are scoped; services see every place' });
    if (user.scope !== undefined) {
      const problem = scopeProblem(user.scope);
      if (problem) context.addIssue({ code: 'custom', path: ['scope'], message: problem });
    }
  });

const accessFileSchema = z
  .object({
    roles: rolesSchema.prefault({}),
    reader_limits: limitsSchema.prefault({}),
    users: z.array(userSchema).default([]),
  })
  .strict();

/**
 * A division-code prefix a reader is scoped to: the significant digits of a province (2), city
 * (4), county (6), township (9) or village (12). A full 12-digit code is taken as its place's
 * prefix, so both `3301` and `330100000000` scope a reader to Hangzhou.
 */
export function scopePrefix(scope: string): string {
  const problem = scopeProblem(scope);
  if (problem) throw new Error(`scope ${JSON.stringify(scope)}: ${problem}`);
  const level = levelOfCode(scope.padEnd(12, '0'))!;
  return scope.slice(0, PREFIX_LENGTH[level]);
}

function scopeProblem(scope: string): string | undefined {
  if (!/^\d+$/.test(scope)) return 'digits only: a division-code prefix such as 3301, or a 12-digit code';
  const lengths = Object.values(PREFIX_LENGTH);
  if (!lengths.includes(scope.length)) return `a prefix has ${lengths.join(', ')} digits (province … village), this one ${scope.length}`;
  const level = levelOfCode(scope.padEnd(12, '0'));
  if (level === undefined) return 'not the code of a place';
  if (scope.length < 12 && PREFIX_LENGTH[level] !== scope.length)
    return `its last digits are zeros, so it is the ${level} ${scope.slice(0, PREFIX_LENGTH[level])}: write that`;
  return undefined;
}

export interface ParseOptions {
  /** Relative password files are read from here (the access file's folder). */
  baseDir: string;
  /** Named in error messages. */
  source?: string;
  readSecret?: (path: string) => string;
}

/** The access file's text, validated, with every password read and hashed. */
export function parseAccessFile(text: string, options: ParseOptions): AccessSpec {
  const where = options.source ?? 'access file';
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    throw new Error(`${where}: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = accessFileSchema.safeParse(document);
  if (!parsed.success) throw new Error(`${where}: ${describeIssues(parsed.error)}`);
  const file = parsed.data;
  checkNames(file.roles, file.users, where);
  const readSecret = options.readSecret ?? readPasswordFile;
  return {
    roles: file.roles,
    readerLimits: {
      maxExecutionTime: file.reader_limits.max_execution_time,
      maxMemoryUsage: file.reader_limits.max_memory_usage,
      maxResultRows: file.reader_limits.max_result_rows,
    },
    users: file.users.map((user, index) => {
      const at = `${where}: users.${index} (${user.name})`;
      const passwordSha256 =
        user.password_sha256?.toLowerCase() ?? hashPasswordFile(resolve(options.baseDir, user.password_file!), at, readSecret);
      return {
        name: user.name,
        role: user.role,
        passwordSha256,
        ...(user.scope !== undefined ? { scope: scopePrefix(user.scope) } : {}),
        ...(user.host_ip ? { hostIps: user.host_ip } : {}),
      };
    }),
  };
}

/** Reads and validates CLICKHOUSE_ACCESS_FILE; relative password files are next to it. */
export function loadAccessFile(path: string): AccessSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `CLICKHOUSE_ACCESS_FILE=${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  return parseAccessFile(text, { baseDir: dirname(resolve(path)), source: path });
}

export function sha256Hex(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

function readPasswordFile(path: string): string {
  // One trailing newline is the editor's, not the password's (as for the *_FILE variables).
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

function hashPasswordFile(path: string, at: string, readSecret: (path: string) => string): string {
  let password: string;
  try {
    password = readSecret(path);
  } catch (error) {
    throw new Error(`${at}: password_file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      cause: error,
    });
  }
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new Error(
      `${at}: password_file ${path} holds ${password.length} characters; use at least ${MIN_PASSWORD_LENGTH}, e.g. \`openssl rand -hex 24\``,
    );
  return sha256Hex(password);
}

function checkNames(roles: Record<RoleKind, string>, users: ReadonlyArray<{ name: string }>, where: string): void {
  const roleNames = Object.values(roles);
  if (new Set(roleNames).size !== roleNames.length) throw new Error(`${where}: roles: each kind needs its own role name`);
  const seen = new Set<string>();
  for (const { name } of users) {
    if (seen.has(name)) throw new Error(`${where}: user ${name} is listed twice`);
    // GRANT <role> TO <name> could not tell them apart.
    if (roleNames.includes(name)) throw new Error(`${where}: user ${name} has the name of a role; name it differently`);
    seen.add(name);
  }
}
