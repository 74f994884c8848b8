import type { SampleContext, SampledEvent } from '../../core/event-type.ts';
import { workingTime } from '../../core/sample-time.ts';

/** Cooperatives sell a few lots a day through a mix of channels, priced per unit with some spread. */
export function sampleCooperativeSales({ random, village, dayStart }: SampleContext): SampledEvent[] {
  const events: SampledEvent[] = [];
  for (const coop of village.cooperatives) {
    for (let n = random.poisson(1.2); n > 0; n--) {
      const product = random.pick(coop.products);
      const quantity = product.unit === 't' ? random.int(1, 20) : random.int(20, 2000);
      const price = Math.round(product.pricePerUnitFen * (0.85 + random.next() * 0.3));
      events.push({
        time: workingTime(random, dayStart, 6, 20),
        data: {
          cooperative_id: coop.id,
          product: product.name,
          quantity,
          unit: product.unit,
          amount_fen: quantity * price,
          channel: random.weighted({ wholesale: 5, e_commerce: 3, livestream: 1, retail: 2, contract_purchase: 2, export: 1 }),
        },
      });
    }
  }
  return events;
}
