import type { Division } from '@govstats/divisions';
import { Random, type SampleVillage } from '@govstats/schemas';

type Product = SampleVillage['cooperatives'][number]['products'][number];

/** Typical products and farm-gate prices (fen per unit) by the county a village is in. */
const PRODUCTS_BY_COUNTY: Record<string, Product[]> = {
  '411224': [
    { name: '香菇', unit: 'kg', pricePerUnitFen: 1_600 },
    { name: '木耳', unit: 'kg', pricePerUnitFen: 5_000 },
  ],
  '411203': [
    { name: '葡萄', unit: 'kg', pricePerUnitFen: 800 },
    { name: '苹果', unit: 'kg', pricePerUnitFen: 600 },
  ],
  '411282': [
    { name: '苹果', unit: 'kg', pricePerUnitFen: 700 },
    { name: '香菇', unit: 'kg', pricePerUnitFen: 1_500 },
  ],
  '411221': [{ name: '小米', unit: 'kg', pricePerUnitFen: 1_000 }],
  '140702': [{ name: '蔬菜', unit: 'kg', pricePerUnitFen: 300 }],
  '141121': [
    { name: '马铃薯', unit: 'kg', pricePerUnitFen: 200 },
    { name: '西兰花', unit: 'kg', pricePerUnitFen: 500 },
  ],
};
const DEFAULT_PRODUCTS: Product[] = [{ name: '核桃', unit: 'kg', pricePerUnitFen: 2_000 }];

/** Plausible grids, people and cooperatives for a village, the same every time for a seed. */
export function sampleVillage(division: Division, seed: number): SampleVillage {
  const random = new Random(seed ^ Number(division.code.slice(4)));
  const grids = Array.from({ length: random.int(3, 8) }, (_, g) => ({
    id: `G${String(g + 1).padStart(2, '0')}`,
    members: Array.from({ length: random.int(1, 2) }, () => random.id('gm')),
  }));
  const products = PRODUCTS_BY_COUNTY[division.code.slice(0, 6)] ?? DEFAULT_PRODUCTS;
  return {
    code: division.code,
    grids,
    households: Array.from({ length: random.int(150, 600) }, () => random.id('hh')),
    residents: Array.from({ length: random.int(80, 200) }, () => random.id('p')),
    cooperatives: Array.from({ length: random.int(0, 2) }, () => ({ id: random.id('coop'), products })),
  };
}
