import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { label, recordId } from '../../core/pseudonym.ts';

/** Cooperatives belong to a village; federations of several villages' cooperatives to their township. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village', 'township'];

export const SALE_UNITS = ['kg', 't', 'jin', 'piece', 'box', 'litre'] as const;

export const SALE_CHANNELS = [
  'wholesale', // 批发
  'e_commerce', // 电商
  'livestream', // 直播带货
  'export', // 出口
  'retail', // 零售
  'contract_purchase', // 订单收购
] as const;

/** One sale by a village cooperative (合作社), version 1. Money is integer fen, never floats. */
export const cooperativeSaleV1 = z
  .object({
    cooperative_id: recordId.describe('cooperative, registered id or the grid system\u2019s id'),
    product: label(64).describe('product sold, e.g. 香菇, 葡萄, 马铃薯'),
    quantity: z
      .number()
      .positive()
      .max(1e9)
      .refine((q) => Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6, 'at most three decimal places')
      .describe('quantity sold, in `unit`'),
    unit: z.enum(SALE_UNITS),
    amount_fen: z.int().min(1).max(1e12).describe('amount received, in fen (0.01 yuan)'),
    channel: z.enum(SALE_CHANNELS),
  })
  .strict();

export type CooperativeSaleV1 = z.output<typeof cooperativeSaleV1>;

export const cooperativeSaleContracts = [
  defineContractVersion(1, cooperativeSaleV1, (d) => ({
    cooperative_id: d.cooperative_id,
    product: d.product,
    quantity: d.quantity.toFixed(3),
    unit: d.unit,
    amount_fen: d.amount_fen,
    channel: d.channel,
  })),
];
