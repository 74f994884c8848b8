/** Characters a backslash stands for in ClickHouse's escaped text; any other escaped character is itself. */
const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', v: '\v', N: '' };

/**
 * The value of a `param_<name>` URL parameter. ClickHouse reads it as escaped text (clients send
 * a'b as a\'b, a tab as \t), while the embedded engine's binder takes the value itself and escapes
 * it again: unescaped here, a value reaches the engine as a server would read it, instead of
 * with its backslashes doubled. The quoted strings inside an Array parameter are unescaped too,
 * which a server would not do; it matters only for strings with quotes or backslashes in them,
 * and the owner's arrays hold codes, levels and table names.
 */
export function paramValue(wire: string): string {
  if (!wire.includes('\\')) return wire;
  return wire.replace(/\\(x[0-7][0-9A-Fa-f]|[\s\S])/g, (_, escaped: string) =>
    escaped.length === 3 ? String.fromCharCode(parseInt(escaped.slice(1), 16)) : (ESCAPED[escaped] ?? escaped),
  );
}
