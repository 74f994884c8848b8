/**
 * What a statement is and what it touches, as ClickHouse's own parser sees it. We never decide
 * from the SQL text (comments, quoting and case make that a losing game): the engine re-formats
 * the statement from a string parameter — which refuses multi-statements — and dumps the parse
 * tree of that one canonical statement, and we read the tree.
 */
export interface StatementShape {
  /** The canonical text of the one statement, as ClickHouse formats it. */
  formatted: string;
  /** Top node of the parse tree: SelectWithUnionQuery, InsertQuery, CreateQuery, Set, UseQuery, … */
  kind: string;
  /** Every function called, scalar or table function, lower-cased. */
  functions: string[];
  /** Functions used as tables (FROM f(…), INSERT INTO FUNCTION f(…), DESCRIBE f(…)), lower-cased. */
  tableFunctions: string[];
  /** Every table named (`db.table` or `table`) in FROM, JOIN, DESCRIBE or `x IN table`. */
  tables: string[];
  /** WITH name AS (subquery): its name reads like a table and may shadow one. */
  hasCommonTableExpression: boolean;
  /** A SETTINGS clause anywhere in it. */
  hasSettingsClause: boolean;
  /** INTO OUTFILE or FROM INFILE: a literal hanging off the statement itself. */
  touchesLocalFile: boolean;
  /**
   * Nodes EXPLAIN AST prints without what is under them (`* APPLY(x -> …)`, `SHOW TABLES … LIMIT
   * (subquery)`): what they call cannot be checked, so they are refused to all but the admin.
   */
  opaque: string[];
}

const OPAQUE_NODES = new Set(['ColumnsApplyTransformer', 'ShowTables']);

/** Runs one read-only statement with string parameters and returns its text result. */
export type ParserAccess = (query: string, params: Record<string, string>) => Promise<string>;

export class UnparsableStatement extends Error {}

/** The one statement in `sql`, as ClickHouse formats it; refuses text holding more than one. */
export async function canonicalStatement(sql: string, parse: ParserAccess): Promise<string> {
  try {
    // The statement travels as a bound string: it is parsed, never executed.
    return (await parse('SELECT formatQuery({statement:String})', { statement: sql })).replace(/\n$/, '');
  } catch (error) {
    throw new UnparsableStatement((error as Error).message.replace(/ In scope SELECT formatQuery\(.*$/s, '').trim());
  }
}

/** The shape of a canonical statement; `params` bound, as EXPLAIN AST needs them. */
export async function shapeOfCanonical(formatted: string, params: Record<string, string>, parse: ParserAccess): Promise<StatementShape> {
  // Safe to run: formatQuery returned exactly one statement, and EXPLAIN AST only parses it.
  const tree = await parse(`EXPLAIN AST ${formatted}`, params);
  return readParseTree(formatted, tree);
}

const NODE = /^( *)(\S+)(?: (\S+))?/;

/** `x IN t` names table t as the second argument of these. */
const IN_FUNCTIONS = /^(global)?(not)?(null)?in$/i;

interface Node {
  depth: number;
  node: string;
  name?: string;
  /** Children seen so far, to know which argument a node is. */
  seen: number;
}

/** Reads the indented dump of EXPLAIN AST (one node per line, one space per level). */
export function readParseTree(formatted: string, tree: string): StatementShape {
  const lines = tree.split('\n').filter((line) => line.trim() !== '');
  const kind = NODE.exec(lines[0] ?? '')?.[2] ?? 'Empty';
  const shape: StatementShape = {
    formatted,
    kind,
    functions: [],
    tableFunctions: [],
    tables: [],
    hasCommonTableExpression: false,
    hasSettingsClause: false,
    touchesLocalFile: false,
    opaque: [],
  };
  const ancestors: Node[] = [];
  lines.forEach((line, index) => {
    const [, indent = '', node = '', name] = NODE.exec(line) ?? [];
    const depth = indent.length;
    while (ancestors.length > 0 && ancestors.at(-1)!.depth >= depth) ancestors.pop();
    const parent = ancestors.at(-1);
    const grandparent = ancestors.at(-2);
    const position = parent ? parent.seen++ : 0;
    ancestors.push({ depth, node, name, seen: 0 });

    if (node === 'Function' && name) {
      shape.functions.push(name.toLowerCase());
      if (parent && (parent.node === 'TableExpression' || parent.node === 'InsertQuery')) shape.tableFunctions.push(name.toLowerCase());
    } else if (node === 'TableIdentifier' && name) shape.tables.push(name);
    else if (
      node === 'Identifier' &&
      name &&
      position === 1 &&
      grandparent?.node === 'Function' &&
      IN_FUNCTIONS.test(grandparent.name ?? '')
    )
      shape.tables.push(name);
    else if (node === 'WithElement') shape.hasCommonTableExpression = true;
    else if (node === 'Set') shape.hasSettingsClause = true;
    else if (node === 'Literal' && indent.length === 1 && index > 0) shape.touchesLocalFile = true;
    if (OPAQUE_NODES.has(node)) shape.opaque.push(node);
  });
  if (/^(Set|SetQuery)$/.test(kind)) shape.hasSettingsClause = true;
  return shape;
}
