import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { label, pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** The collective economic organisation of a village or community keeps the books; no level above it has one. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village'];

/** Where an entry of village collective income (村集体经济收入) comes from. */
export const INCOME_SOURCES = [
  'operations', // 经营收入
  'contracting_leases', // 发包及上交收入
  'contract_cleanup', // 清理合同增收
  'investment_returns', // 投资收益
  'enterprise_profit_share', // 村企利润分成
  'subsidy', // 补助收入
  'cooperative_dividends', // 合作社分红
] as const;

/** Largest amount of one entry, either way: 10 亿元, far above any village's yearly income. */
export const MAX_ENTRY_FEN = 100_000_000_000;

/**
 * One entry in the books of a village's collective economy (村集体经济收入), version 1. Money is
 * integer fen. An entry is never edited: a mistake is put right by a correcting entry that names the
 * entry it corrects, negative when it takes income back.
 */
export const collectiveIncomeV1 = z
  .object({
    entry_id: recordId.describe('entry id in the village books, unique in the village'),
    amount_fen: z
      .int()
      .min(-MAX_ENTRY_FEN)
      .max(MAX_ENTRY_FEN)
      .refine((fen) => fen !== 0, 'must not be zero')
      .describe('amount in fen (0.01 yuan); negative only in a correction, which must give correction_of'),
    source: z.enum(INCOME_SOURCES).describe('where the income comes from'),
    correction_of: recordId.optional().describe('the entry this one corrects (更正), required when amount_fen is negative'),
    counterparty: pseudonymousId.optional().describe('who paid (a lessee, an enterprise, a cooperative), pseudonymous'),
    note: label(200).optional().describe('short note as booked, e.g. 土地发包租金'),
  })
  .strict()
  .refine((d) => d.amount_fen > 0 || d.correction_of !== undefined, {
    message: 'a negative amount_fen is only allowed in a correction: give correction_of, the entry it corrects',
    path: ['correction_of'],
  })
  .refine((d) => d.correction_of !== d.entry_id, { message: 'an entry cannot correct itself', path: ['correction_of'] });

export type CollectiveIncomeV1 = z.output<typeof collectiveIncomeV1>;

export const collectiveIncomeContracts = [
  defineContractVersion(1, collectiveIncomeV1, (d) => ({
    entry_id: d.entry_id,
    amount_fen: d.amount_fen,
    income_source: d.source,
    correction_of: d.correction_of ?? '',
    counterparty: d.counterparty ?? '',
    note: d.note ?? '',
  })),
];
