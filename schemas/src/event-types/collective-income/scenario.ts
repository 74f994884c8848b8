import { z } from 'zod';
import type { Random } from '../../core/random.ts';
import { defineScenarioPart } from '../../core/scenario-part.ts';
import { eventsOnDay, momentAt, part } from '../../core/scenario-calendar.ts';
import { INCOME_SOURCES, MAX_ENTRY_FEN } from './contract.ts';
import { collectiveIncomeRollup } from './warehouse.ts';

type IncomeSource = (typeof INCOME_SOURCES)[number];

/** One entry of a village's books over the period; `at` is its place in the period, 0 (first moment) to 1. */
interface PlannedEntry {
  at: number;
  source: IncomeSource;
  amountFen: number;
  /** Number of the entry it corrects, in the village's books. */
  correctionOf?: number;
}

interface IncomePlan {
  code: string;
  /** In booking order. */
  entries: PlannedEntry[];
}

/** Income of one source in one village over the period, exactly. */
interface SourceStream {
  source: IncomeSource;
  entries: number;
  amountFen: number;
}

/** Sources of a village's income where no target names one, by how commonly villages have them. */
const DEFAULT_SOURCE_WEIGHTS: Record<IncomeSource, number> = {
  contracting_leases: 4,
  operations: 3,
  subsidy: 3,
  investment_returns: 2,
  cooperative_dividends: 2,
  enterprise_profit_share: 1,
  contract_cleanup: 1,
};

const NOTES: Record<IncomeSource, string> = {
  operations: '村集体经营收入',
  contracting_leases: '土地和资产发包租金',
  contract_cleanup: '清理规范合同增收',
  investment_returns: '入股投资收益',
  enterprise_profit_share: '村办企业利润分成',
  subsidy: '上级补助资金',
  cooperative_dividends: '合作社年终分红',
};

/** Who pays, for the sources with one counterparty to name. */
const COUNTERPARTY_PREFIX: Partial<Record<IncomeSource, string>> = {
  contracting_leases: 'lessee',
  enterprise_profit_share: 'firm',
  cooperative_dividends: 'coop',
  investment_returns: 'inv',
};

/** Income targets may name one source. */
const bySource = {
  accepts: (filter: Record<string, string>) =>
    Object.keys(filter).every((k) => k === 'income_source') &&
    (filter.income_source === undefined || (INCOME_SOURCES as readonly string[]).includes(filter.income_source)),
  described: `income_source (one of ${INCOME_SOURCES.join(', ')}), optional`,
};

const THRESHOLDS = collectiveIncomeRollup.thresholds ?? [];

/**
 * `total` fen in pieces of uneven size, piece i at least `minima[i]` fen (in whole yuan when the
 * total allows); never a piece above one entry's limit unless the total forces it.
 */
function splitAmount(total: number, minima: number[], random: Random): number[] {
  const parts = minima.length;
  if (parts === 0) return [];
  const least = minima.reduce((a, b) => a + b, 0);
  const unit = total % 100 === 0 && total / 100 >= least ? 100 : 1;
  const rest = total / unit - least;
  const weights = minima.map(() => 0.5 + random.next());
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (rest * w) / weightSum);
  const pieces = exact.map((x) => Math.floor(x));
  let left = rest - pieces.reduce((a, b) => a + b, 0);
  const byFraction = exact.map((x, i) => ({ i, f: x - Math.floor(x) })).sort((a, b) => b.f - a.f);
  for (let k = 0; left > 0; k++, left--) pieces[byFraction[k % parts]!.i]!++;
  const amounts = pieces.map((p, i) => (p + minima[i]!) * unit);
  // Uneven pieces of a total close to the limit could pass it; even ones do not.
  return amounts.some((a) => a > MAX_ENTRY_FEN) && least === parts ? amounts.map((_, i) => part(total, parts, i)) : amounts;
}

/** `total` fen in `parts` positive entries. */
const splitEntries = (total: number, parts: number, random: Random) => splitAmount(total, new Array<number>(parts).fill(1), random);

/** Distinct sources drawn by weight. */
function drawSources(available: IncomeSource[], count: number, random: Random): IncomeSource[] {
  const left = new Set(available);
  const drawn: IncomeSource[] = [];
  while (drawn.length < count && left.size > 0) {
    const weights = Object.fromEntries([...left].map((s) => [s, DEFAULT_SOURCE_WEIGHTS[s]])) as Record<IncomeSource, number>;
    const source = random.weighted(weights);
    drawn.push(source);
    left.delete(source);
  }
  return drawn;
}

export const collectiveIncomeScenario = defineScenarioPart({
  activity: {
    village_income_yuan_per_year: z
      .number()
      .nonnegative()
      .max(1e9)
      .default(150_000)
      .describe('collective income of an average village in a year, yuan; villages vary with their size (about 50,000–300,000)'),
    income_entries_per_village_per_year: z
      .number()
      .nonnegative()
      .max(1000)
      .default(6)
      .describe('income entries an average village books in a year, from two or three sources'),
    income_correction_share: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('share of villages that book a correcting entry (taking back part of an earlier entry) in a year'),
  },
  targets: [
    { measure: 'entries', filters: bySource },
    { measure: 'income_fen', filters: bySource },
    ...THRESHOLDS.map((t) => ({ measure: t.name, countsVillagesReaching: true })),
  ],

  /**
   * Targeted sources get exactly their income and entries; the rest of the village's income (its
   * target less the targeted sources, or a plausible default) comes from two or three other
   * sources. A village counted as reaching a threshold ends at or above it, one counted as not
   * reaching it below it.
   */
  plan({ producer: { place }, settings, months, random, quota, fail }): IncomePlan {
    const years = months / 12;
    const everyMeasure = ['entries', 'income_fen', ...THRESHOLDS.map((t) => t.name)];
    // Bounds the thresholds put on the village's total income and number of entries.
    const income = { min: 0, max: Number.POSITIVE_INFINITY };
    const entries = { min: 0, max: Number.POSITIVE_INFINITY };
    for (const threshold of THRESHOLDS) {
      const reaches = quota(threshold.name);
      if (reaches === undefined) continue;
      const bounds = threshold.measure === 'entries' ? entries : income;
      if (reaches >= 1) bounds.min = Math.max(bounds.min, threshold.atLeast);
      else bounds.max = Math.min(bounds.max, threshold.atLeast - 1);
    }
    if (income.min > income.max || entries.min > entries.max)
      fail('counted as reaching one income threshold but not a lower one', everyMeasure);

    const defaultIncome = Math.round(settings.village_income_yuan_per_year * years * place.weight * (0.8 + 0.4 * random.next())) * 100;
    const defaultEntries = (fen: number) =>
      fen <= 0
        ? 0
        : Math.max(
            1,
            Math.ceil(fen / MAX_ENTRY_FEN),
            Math.round(settings.income_entries_per_village_per_year * years * (0.75 + 0.5 * random.next())),
          );
    // A typical entry, also for targeted sources and for a village that must book something when the default is none (1万元).
    const typicalEntryFen =
      defaultIncome > 0 ? Math.max(100, Math.round(defaultIncome / Math.max(1, defaultEntries(defaultIncome)))) : 1_000_000;

    // Sources a target names: exactly their income and entries.
    const streams: SourceStream[] = [];
    for (const source of INCOME_SOURCES) {
      const fenTarget = quota('income_fen', `income_source=${source}`);
      const entriesTarget = quota('entries', `income_source=${source}`);
      if (fenTarget === undefined && entriesTarget === undefined) continue;
      const amountFen = fenTarget ?? (entriesTarget ?? 0) * typicalEntryFen;
      const count =
        entriesTarget ??
        (amountFen > 0
          ? Math.max(Math.ceil(amountFen / MAX_ENTRY_FEN), Math.min(3, Math.max(1, Math.round(amountFen / typicalEntryFen))))
          : 0);
      streams.push({ source, entries: count, amountFen });
    }
    const targetedFen = streams.reduce((n, s) => n + s.amountFen, 0);
    const targetedEntries = streams.reduce((n, s) => n + s.entries, 0);

    // The rest of the village's income, from sources no target names.
    const totalTarget = quota('income_fen');
    let otherFen: number;
    let single = false;
    if (totalTarget !== undefined) {
      otherFen = totalTarget - targetedFen;
      if (otherFen < 0) fail('income targeted by source adds up to more than the village’s total income', ['income_fen']);
      if (totalTarget < income.min || totalTarget > income.max)
        fail(`income of ${totalTarget} fen is on the wrong side of an income threshold it is counted against`, everyMeasure);
    } else if (entries.max === 0) {
      otherFen = 0;
    } else {
      if (targetedFen > income.max) fail('income targeted by source already reaches a threshold the village must stay below', everyMeasure);
      otherFen = defaultIncome;
      if (targetedFen + otherFen < income.min) {
        // Reaching a threshold: at it or a little above, never past one it must stay below.
        const above = Math.round((income.min * 0.08 * random.next()) / 100) * 100;
        otherFen = Math.min(income.min + above, income.max) - targetedFen;
      } else if (targetedFen + otherFen > income.max) {
        otherFen = Math.floor(((income.max - targetedFen) * (0.6 + 0.35 * random.next())) / 100) * 100;
      }
      if (entries.min > 0 && targetedEntries === 0 && otherFen <= 0) {
        // Counted as booking income though the default is none: one entry of a typical size.
        otherFen = Math.min(typicalEntryFen, income.max - targetedFen);
        single = true;
      }
    }

    const entriesTarget = quota('entries');
    let otherEntries: number;
    if (entriesTarget !== undefined) {
      otherEntries = entriesTarget - targetedEntries;
      if (otherEntries < 0) fail('entries targeted by source add up to more than the village’s entries', ['entries']);
    } else {
      otherEntries = single ? 1 : Math.max(defaultEntries(otherFen), otherFen > 0 ? entries.min - targetedEntries : 0);
    }
    const totalEntries = targetedEntries + otherEntries;
    if (totalEntries < entries.min || totalEntries > entries.max)
      fail(`${totalEntries} income entries are on the wrong side of a threshold on entries`, everyMeasure);

    if (otherFen > 0 !== otherEntries > 0 || otherFen < otherEntries)
      fail(`${otherFen} fen of income cannot be booked in ${otherEntries} positive entries`, ['entries', 'income_fen']);
    if (otherEntries > 0) {
      const targeted = new Set(streams.map((s) => s.source));
      const available = INCOME_SOURCES.filter((s) => !targeted.has(s));
      if (available.length === 0) fail('every income source is targeted, so nothing is left for the rest of its income', ['income_fen']);
      const sources = drawSources(available, Math.min(otherEntries, random.int(2, 3)), random);
      const counts = sources.map(() => 1);
      for (let k = sources.length; k < otherEntries; k++) counts[random.int(0, sources.length - 1)]!++;
      // At least one fen per entry, the rest in uneven shares.
      const shares = splitAmount(otherFen, counts, random);
      sources.forEach((source, i) => streams.push({ source, entries: counts[i]!, amountFen: shares[i]! }));
    }
    for (const s of streams) {
      if (s.amountFen > 0 !== s.entries > 0 || s.amountFen < s.entries || s.amountFen > s.entries * MAX_ENTRY_FEN)
        fail(`${s.amountFen} fen of ${s.source} income cannot be booked in ${s.entries} positive entries`, ['entries', 'income_fen']);
    }

    const totalFen = streams.reduce((n, s) => n + s.amountFen, 0);
    if (totalFen < income.min || totalFen > income.max)
      fail(`income of ${totalFen} fen is on the wrong side of an income threshold it is counted against`, everyMeasure);

    // An occasional correction: the first entry of a source booked too high, put right by its last.
    const correctable = streams.filter((s) => s.entries >= 2);
    const corrected =
      correctable.length > 0 && random.chance(Math.min(1, settings.income_correction_share * years)) ? random.pick(correctable) : undefined;

    const planned: (PlannedEntry & { corrects?: PlannedEntry })[] = [];
    for (const stream of streams) {
      const at = Array.from({ length: stream.entries }, () => random.next()).sort((a, b) => a - b);
      let amounts: number[] | undefined;
      if (stream === corrected) {
        const booked = splitEntries(stream.amountFen, stream.entries - 1, random);
        const excess = Math.round((booked[0]! * (0.05 + 0.25 * random.next())) / 100) * 100;
        if (excess >= 1 && booked[0]! + excess <= MAX_ENTRY_FEN) amounts = [booked[0]! + excess, ...booked.slice(1), -excess];
      }
      amounts ??= splitEntries(stream.amountFen, stream.entries, random);
      const first: PlannedEntry = { at: at[0]!, source: stream.source, amountFen: amounts[0]! };
      planned.push(first);
      for (let i = 1; i < amounts.length; i++) {
        const entry: PlannedEntry & { corrects?: PlannedEntry } = { at: at[i]!, source: stream.source, amountFen: amounts[i]! };
        if (amounts[i]! < 0) entry.corrects = first;
        planned.push(entry);
      }
    }
    planned.sort((a, b) => a.at - b.at);
    const numbers = new Map(planned.map((e, i) => [e, i + 1]));
    return {
      code: place.code,
      entries: planned.map(({ corrects, ...entry }) => (corrects ? { ...entry, correctionOf: numbers.get(corrects)! } : entry)),
    };
  },

  *emitDay(plan, { day, calendar }) {
    const days = calendar.days.length;
    // Entries are in booking order.
    const [first, end] = eventsOnDay(plan.entries.length, (i) => plan.entries[i]!.at, day, days);
    for (let i = first; i < end; i++) {
      const entry = plan.entries[i]!;
      const prefix = COUNTERPARTY_PREFIX[entry.source];
      yield {
        key: `i${i + 1}`,
        time: momentAt(entry.at, calendar),
        data: {
          entry_id: `${plan.code}-I${i + 1}`,
          amount_fen: entry.amountFen,
          source: entry.source,
          ...(entry.correctionOf !== undefined
            ? { correction_of: `${plan.code}-I${entry.correctionOf}`, note: '更正：冲减多记金额' }
            : { note: NOTES[entry.source] }),
          ...(prefix ? { counterparty: `${prefix}-${plan.code}` } : {}),
        },
      };
    }
  },
});
