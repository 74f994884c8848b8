import type { EventExamples } from '../../core/event-type.ts';

const lease = {
  entry_id: '411203100202-I1',
  amount_fen: 12_000_000,
  source: 'contracting_leases',
  counterparty: 'lessee-0001',
  note: '土地发包租金',
};
const correction = { entry_id: '411203100202-I7', amount_fen: -500_000, source: 'contracting_leases', correction_of: '411203100202-I1' };

export const collectiveIncomeExamples: EventExamples = {
  valid: [lease, correction, { entry_id: 'E2023-015', amount_fen: 63_000_000, source: 'contract_cleanup' }],
  invalid: [
    { what: 'a negative amount that corrects nothing', data: { ...correction, correction_of: undefined }, error: 'correction_of' },
    { what: 'an amount of zero', data: { ...lease, amount_fen: 0 }, error: 'must not be zero' },
    { what: 'fractional fen', data: { ...lease, amount_fen: 100.5 }, error: 'amount_fen' },
    { what: 'an amount beyond any village’s books', data: { ...lease, amount_fen: 200_000_000_000 }, error: 'amount_fen' },
    { what: 'an unknown source', data: { ...lease, source: 'lottery' }, error: 'source' },
    { what: 'a name as counterparty', data: { ...lease, counterparty: '张三' }, error: 'counterparty' },
  ],
};
