import { levelOfCode } from '@govstats/schemas';
import { MATCH_METHODS, type CodeChange, type MatchMethod } from './code-change.ts';

/** The columns of data/code-changes.csv; levels are not stored, the codes carry them. */
export const CODE_CHANGE_COLUMNS = ['retired_code', 'current_code', 'method', 'retired_in', 'retired_name', 'current_name'] as const;

const quote = (field: string): string => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

/** One line per change, in the order given, with a header and a final newline. */
export function formatCodeChangesCsv(changes: CodeChange[]): string {
  const lines = [CODE_CHANGE_COLUMNS.join(',')];
  for (const c of changes)
    lines.push([c.retiredCode, c.currentCode, c.method, c.retiredIn, quote(c.retiredName), quote(c.currentName)].join(','));
  return `${lines.join('\n')}\n`;
}

/** Splits one CSV line, honouring double-quoted fields. */
function splitLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i++;
        } else if (line[i] === '"') break;
        else value += line[i];
      }
      fields.push(value);
      i += 2; // closing quote and comma
    } else {
      const end = line.indexOf(',', i) < 0 ? line.length : line.indexOf(',', i);
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/** Reads the table back; `source` names the file in errors. */
export function parseCodeChangesCsv(text: string, source: string): CodeChange[] {
  const lines = text.split('\n');
  if (lines[0] !== CODE_CHANGE_COLUMNS.join(','))
    throw new Error(`${source}: expected the header "${CODE_CHANGE_COLUMNS.join(',')}", found "${lines[0]}"`);
  const changes: CodeChange[] = [];
  for (let n = 1; n < lines.length; n++) {
    if (lines[n] === '') continue;
    const [retiredCode, currentCode, method, retiredIn, retiredName, currentName] = splitLine(lines[n]!);
    const retiredLevel = levelOfCode(retiredCode ?? '');
    const currentLevel = levelOfCode(currentCode ?? '');
    if (!retiredLevel || !currentLevel || !MATCH_METHODS.includes(method as MatchMethod) || !retiredIn || !retiredName || !currentName) {
      throw new Error(`${source} line ${n + 1}: expected ${CODE_CHANGE_COLUMNS.join(',')}, found "${lines[n]}"`);
    }
    changes.push({
      retiredCode: retiredCode!,
      retiredName,
      retiredLevel,
      currentCode: currentCode!,
      currentName,
      currentLevel,
      method: method as MatchMethod,
      retiredIn,
    });
  }
  return changes;
}
