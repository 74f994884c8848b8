/*
 * What the CLI prints can come from events: dead-letter reasons and details, event ids, Kafka keys,
 * place names from a user's division table. A terminal obeys control characters in it: ESC starts
 * sequences that clear the screen, retitle the window, move the cursor to rewrite lines already
 * shown, or on some terminals answer back into the shell's input; CR and BS overwrite text; C1
 * controls (U+0080–U+009F) are one-byte ESC sequences; bidi overrides reorder what a person reads.
 *
 * Each such character is shown as a visible escape (`\x1b`, `\u202e`) rather than dropped: that a
 * refused message carried control sequences is worth seeing. A literal backslash is left as is, so
 * the text `\x1b` and an escaped ESC look alike — this is for reading, `--json` is for machines.
 */

/** Bidi marks, embeddings, overrides and isolates: they reorder what a person reads. */
const BIDI = new Set([0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);

/** DEL, C1 controls and bidi controls: what JSON.stringify leaves raw (it escapes U+0000–U+001F). */
const unsafeInJson = (code: number) => (code >= 0x7f && code <= 0x9f) || BIDI.has(code);

/** C0 controls (LF too unless kept) and the rest above. */
const unsafe = (code: number, keepNewlines: boolean) => (code < 0x20 && !(keepNewlines && code === 0x0a)) || unsafeInJson(code);

function replaceEach(text: string, isUnsafe: (code: number) => boolean, escape: (code: number) => string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += isUnsafe(code) ? escape(code) : char;
  }
  return out;
}

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, '0');
const visible = (code: number) => (code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);

/**
 * Text safe to write to a terminal. Newlines are escaped too unless `keepNewlines`: a table cell
 * is one line, and a newline in it would break the layout (or fake rows).
 */
export function terminalText(text: string, options: { keepNewlines?: boolean } = {}): string {
  const keepNewlines = options.keepNewlines ?? false;
  return replaceEach(text, (code) => unsafe(code, keepNewlines), visible);
}

/**
 * JSON for stdout that a terminal cannot be driven by: JSON.stringify escapes C0 controls, and the
 * rest become `\uXXXX` escapes, which only occur inside strings and parse back to the same value.
 */
export function terminalSafeJson(value: unknown): string {
  return replaceEach(JSON.stringify(value, null, 2), unsafeInJson, (code) => `\\u${hex(code, 4)}`);
}
