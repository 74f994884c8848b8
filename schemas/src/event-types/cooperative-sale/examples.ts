import type { EventExamples } from '../../core/event-type.ts';

const sale = { cooperative_id: 'coop0001', product: '香菇', quantity: 12.5, unit: 'kg', amount_fen: 20000, channel: 'e_commerce' };

export const cooperativeSaleExamples: EventExamples = {
  valid: [sale, { ...sale, product: '苹果', quantity: 2, unit: 't', amount_fen: 1_600_000, channel: 'wholesale' }],
  invalid: [
    { what: 'fractional fen', data: { ...sale, amount_fen: 10.5 }, error: 'amount_fen' },
    { what: 'a quantity with four decimals', data: { ...sale, quantity: 1.0005 }, error: 'three decimal places' },
  ],
};
