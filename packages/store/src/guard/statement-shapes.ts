import type { Readable } from 'node:stream';
import { canonicalStatement, shapeOfCanonical, type ParserAccess, type StatementShape } from './statement-shape.ts';

/** Statements remembered, and the longest remembered: the memory kept stays small. */
const REMEMBERED = 1_000;
const REMEMBERED_LENGTH = 16 * 1024;

/** A parameter that names a table: its value is part of what is checked. */
const NAMES_A_TABLE = /\{\w+:Identifier\}/;

/**
 * Services send the same statements over and over with other parameters: each text is parsed
 * once, and its parse tree read again only when a parameter names a table. The canonical text is
 * what is tested for that, since comments and spaces inside a placeholder are gone from it.
 */
export class StatementShapes {
  readonly #canonical = new Map<string, string>();
  readonly #shapes = new Map<string, StatementShape>();

  constructor(private readonly parse: ParserAccess) {}

  /** `params`: the statement's own query parameters, which the parse tree needs bound. */
  async of(sql: string, params: Record<string, string>): Promise<StatementShape> {
    let formatted = this.#canonical.get(sql);
    if (formatted === undefined) {
      formatted = await canonicalStatement(sql, this.parse);
      remember(this.#canonical, sql, formatted);
    }
    const key = NAMES_A_TABLE.test(formatted) ? `${formatted}\0${JSON.stringify(params)}` : formatted;
    const known = this.#shapes.get(key);
    if (known) return known;
    const shape = await shapeOfCanonical(formatted, params, this.parse);
    remember(this.#shapes, key, shape);
    return shape;
  }
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (key.length > REMEMBERED_LENGTH) return;
  if (map.size >= REMEMBERED) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** Anything that runs a statement and streams its answer: the engine connection or a client. */
type Runs = (params: {
  query: string;
  query_params: Record<string, string>;
  clickhouse_settings: { default_format: 'TabSeparatedRaw' };
}) => Promise<{ stream: unknown }>;

/** Statement shapes parsed by the engine behind `run`. */
export function shapesThrough(run: Runs): StatementShapes {
  return new StatementShapes(async (query, params) => {
    // default_format is the one setting the embedded engine takes as an option, not as a SET.
    const { stream } = await run({ query, query_params: params, clickhouse_settings: { default_format: 'TabSeparatedRaw' } });
    const chunks: Buffer[] = [];
    for await (const chunk of stream as Readable) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  });
}
