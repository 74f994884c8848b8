import type { Readable } from 'node:stream';
import { shapeOf, type ParserAccess, type StatementShape } from './statement-shape.ts';

/** Services repeat the same statements: parse each text once. */
const REMEMBERED = 1_000;
/** Longer statements are parsed every time, so the memory kept stays small. */
const REMEMBERED_LENGTH = 16 * 1024;

export class StatementShapes {
  readonly #known = new Map<string, StatementShape>();

  constructor(private readonly parse: ParserAccess) {}

  /** `params`: the statement's own query parameters, which the parse tree needs bound. */
  async of(sql: string, params: Record<string, string>): Promise<StatementShape> {
    // A parameter may name a table ({t:Identifier}): the values are part of what was checked.
    const key = `${sql}\0${JSON.stringify(params)}`;
    const known = this.#known.get(key);
    if (known) return known;
    const shape = await shapeOf(sql, params, this.parse);
    if (key.length > REMEMBERED_LENGTH) return shape;
    if (this.#known.size >= REMEMBERED) this.#known.delete(this.#known.keys().next().value!);
    this.#known.set(key, shape);
    return shape;
  }
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
