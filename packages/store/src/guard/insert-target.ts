import type { RawInsertFormat } from 'chdb';

/**
 * An INSERT whose rows travel apart from its statement: where they go and how they are written.
 * The rows are handed to the engine as data, never appended to SQL text, so nothing in them can
 * become a second statement.
 */
export interface InsertTarget {
  table: string;
  columns?: string[];
  settings?: Record<string, string | number>;
  format: RawInsertFormat;
}

const DATA_FORMATS: readonly RawInsertFormat[] = [
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparated',
  'TSVWithNames',
  'TabSeparatedWithNames',
];

/** What formatQuery makes of `INSERT INTO t [(columns)] [SETTINGS …] FORMAT f`, and nothing else. */
const PLAIN_INSERT =
  /^INSERT INTO (?<table>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)(?: \((?<columns>[A-Za-z0-9_]+(?:, [A-Za-z0-9_]+)*)\))?(?:[ \n]SETTINGS (?<settings>.+))?[ \n]FORMAT (?<format>\w+)$/;

/** One `name = value` of a formatted SETTINGS clause: a quoted string or a number. */
const SETTING = /([A-Za-z_][A-Za-z0-9_]*) = ('(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?)(, |$)/y;

/** Undefined unless `formatted` is a plain INSERT of rows in a data format. */
export function insertTarget(formatted: string): InsertTarget | undefined {
  const match = PLAIN_INSERT.exec(formatted);
  const { table, columns, settings, format } = match?.groups ?? {};
  if (!table || !DATA_FORMATS.includes(format as RawInsertFormat)) return undefined;
  const parsedSettings = settings === undefined ? undefined : settingsOf(settings);
  if (parsedSettings === null) return undefined;
  return {
    table,
    columns: columns?.split(', '),
    settings: parsedSettings,
    format: format as RawInsertFormat,
  };
}

function settingsOf(clause: string): Record<string, string | number> | null {
  const settings: Record<string, string | number> = {};
  SETTING.lastIndex = 0;
  while (SETTING.lastIndex < clause.length) {
    const match = SETTING.exec(clause);
    if (!match) return null;
    const [, name, value, separator] = match;
    settings[name!] = value!.startsWith("'") ? unquote(value!) : Number(value);
    if (separator === '') break;
  }
  return SETTING.lastIndex === clause.length ? settings : null;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f' };

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, (_, char: string) => ESCAPES[char] ?? char);
}
