import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventTypeDefinition } from '../src/index.ts';
import { checkRegistry } from '../src/core/registry-check.ts';

/** A registered type with its rollup changed, under a name of its own so it collides with nothing. */
function variant(change: (type: EventTypeDefinition) => Partial<EventTypeDefinition['rollup']>): EventTypeDefinition {
  const type = EVENT_TYPES.find((t) => t.name === 'dispute-case')!;
  return {
    ...type,
    name: 'variant',
    rawTable: { ...type.rawTable, name: 'variant_events' },
    rollup: { ...type.rollup, table: 'variant_rollup', ...change(type) },
    scenario: { ...type.scenario, activity: {}, settings: {} },
  };
}

const problemsOf = (type: EventTypeDefinition) => {
  try {
    checkRegistry([type]);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('the registry check', () => {
  it('accepts every registered type', () => {
    expect(() => checkRegistry(EVENT_TYPES)).not.toThrow();
  });

  it('refuses a threshold over a figure that is not a count or sum of the rollup, or at zero', () => {
    const threshold = { label: '村', unit: '个', description: 'villages' };
    const type = variant(() => ({
      thresholds: [
        { ...threshold, name: 'over_a_median', measure: 'median_days_to_resolve', atLeast: 3 },
        { ...threshold, name: 'at_zero', measure: 'received', atLeast: 0 },
      ],
    }));
    expect(problemsOf(type)).toContain('threshold over_a_median is over median_days_to_resolve, which is not a count or sum');
    expect(problemsOf(type)).toContain('threshold at_zero must be above zero');
  });

  it('refuses a computed dimension named like a raw column, which would hide the column from the measures', () => {
    const type = variant((t) => ({
      dimensions: [{ name: 'category', expr: "concat(category, '!')", type: 'String', description: 'x' }, ...t.rollup.dimensions.slice(1)],
    }));
    expect(problemsOf(type)).toContain('dimension category is computed but named like a raw column');
    expect(problemsOf(variant(() => ({ dimensions: [{ name: 'source', expr: 'category', type: 'String', description: 'x' }] })))).toContain(
      'dimension source is computed but named like a raw column',
    );
  });
});
