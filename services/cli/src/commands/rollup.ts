import { parseArgs } from 'node:util';
import type { Area } from '@govstats/divisions';
import { EVENT_TYPES, isCalendarDate, ROLLUP_LEVELS, type RollupLevel } from '@govstats/schemas';
import { codeMatchesLevel, placeName, queryPlaceFigures } from '@govstats/warehouse';
import { renderTable } from '../output/table.ts';
import { terminalText } from '../output/terminal-text.ts';
import { UsageError, config, withStore } from '../runtime.ts';

export const usage = `govstats rollup --level city|county|township|village --code CODE --from YYYY-MM-DD --to YYYY-MM-DD [--area urban|rural] [--json]
  Prints every rollup measure of one place over a period (inclusive dates, Asia/Shanghai days).
  --area keeps only the events of its urban communities or of its rural villages; events that
  belong to a township, county or city themselves are in neither.`;

export interface RollupReport {
  level: RollupLevel;
  code: string;
  place: string | null;
  area: Area | null;
  from: string;
  to: string;
  figures: Record<string, Record<string, number | null>>;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      level: { type: 'string' },
      code: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      area: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const level = values.level as RollupLevel;
  if (!ROLLUP_LEVELS.includes(level)) throw new UsageError(`--level must be one of ${ROLLUP_LEVELS.join(', ')}\n${usage}`);
  const code = values.code ?? '';
  if (!codeMatchesLevel(code, level))
    throw new UsageError(`--code ${code || '(missing)'} is not the 12-digit code of a ${level}, e.g. 411200000000 for a city`);
  const from = checkDate('--from', values.from);
  const to = checkDate('--to', values.to);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const area = values.area === undefined ? undefined : (values.area as Area);
  if (area !== undefined && area !== 'urban' && area !== 'rural')
    throw new UsageError(`--area must be urban or rural (got ${values.area})`);

  const report = await withStore(config(), async (store) => {
    const figures: RollupReport['figures'] = {};
    for (const type of EVENT_TYPES) figures[type.name] = await queryPlaceFigures(store, type, { level, code, from, to, area });
    return { level, code, place: (await placeName(store, code)) ?? null, area: area ?? null, from, to, figures } satisfies RollupReport;
  });

  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `${terminalText(report.place ?? '(unknown place)')} ${code} · ${level}${area ? ` · ${area} only` : ''} · ${from} – ${to}\n`,
  );
  for (const type of EVENT_TYPES) {
    const described = new Map([...type.rollup.measures, ...type.rollup.derived].map((m) => [m.name, m.description]));
    const rows = Object.entries(report.figures[type.name]!).map(([name, value]) => [name, value, described.get(name) ?? '']);
    process.stdout.write(`\n${type.title.zh} ${type.title.en}\n${renderTable(['measure', 'value', 'meaning'], rows)}\n`);
  }
  return 0;
}

function checkDate(flag: string, value: string | undefined): string {
  if (!value || !isCalendarDate(value)) {
    throw new UsageError(`${flag} must be a date YYYY-MM-DD (got ${value ?? 'nothing'})`);
  }
  return value;
}
