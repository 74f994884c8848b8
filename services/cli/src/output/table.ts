import { terminalText } from './terminal-text.ts';

/** Display width in a terminal: CJK characters take two columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return width;
}

function pad(text: string, width: number, alignRight: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return alignRight ? fill + text : text + fill;
}

/**
 * A plain aligned text table; numeric columns are right-aligned. Every table the CLI prints goes
 * through here, so this is where text from events is made safe for the terminal: control
 * characters (newlines too: a cell is one line) show as visible escapes (terminal-text.ts).
 */
export function renderTable(headersGiven: string[], rows: (string | number | null)[][]): string {
  const headers = headersGiven.map((h) => terminalText(h));
  const cells = rows.map((row) => row.map((c) => (c === null ? '–' : typeof c === 'number' ? formatNumber(c) : terminalText(c))));
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === 'number' || row[i] === null));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((row) => displayWidth(row[i] ?? ''))));
  const line = (values: string[]) =>
    values
      .map((v, i) => pad(v, widths[i]!, numeric[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
