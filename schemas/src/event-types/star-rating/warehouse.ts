import type { RawTableSpec } from '../../core/raw-table.ts';
import type { Measure, RollupSpec } from '../../core/rollup-spec.ts';

export const starRatingTable: RawTableSpec = {
  name: 'star_rating_events',
  baseline: 6,
  columns: [
    { name: 'scheme', type: 'LowCardinality(String)', description: 'five_star_branch, secretary_stars or ten_star_household' },
    {
      name: 'rated_kind',
      type: 'LowCardinality(String)',
      description: 'what is rated, implied by the scheme: branch, secretary or household',
    },
    { name: 'rated_id', type: 'String', description: 'the branch id, or the pseudonymous id of the secretary or household rated' },
    { name: 'branch_id', type: 'String', description: 'the branch rated, or the branch a rated secretary leads; empty if not given' },
    { name: 'step', type: 'LowCardinality(String)', description: 'declared, assessed, decided, published, awarded, adjusted or revoked' },
    { name: 'stars', type: 'UInt8', description: 'stars the step gives (1–5, 1–10 for households); 0 when revoked' },
    {
      name: 'previous_stars',
      type: 'UInt8',
      description: 'rating in place before a decided, adjusted or revoked step (0: none); 0 on the other steps',
    },
  ],
};

/** Only these steps change the rating in place; every other step leaves the states alone. */
const CHANGES = "step IN ('decided', 'adjusted', 'revoked')";

/** Change in the number of entities rated at least `stars`: the rating a step gives minus the one it leaves. */
const reachesDelta = (stars: number) => `toInt64(stars >= ${stars}) - toInt64(previous_stars >= ${stars})`;

function inPlace(name: string, label: string, unit: string, description: string, stars: number, scheme?: string): Measure {
  return {
    kind: 'state',
    name,
    label,
    unit,
    description,
    delta: reachesDelta(stars),
    where: scheme ? `${CHANGES} AND scheme = '${scheme}'` : CHANGES,
  };
}

const step = (name: string, label: string, description: string, where: string): Measure => ({
  kind: 'count',
  name,
  label,
  unit: '次',
  description,
  where,
});

export const starRatingRollup: RollupSpec = {
  table: 'star_rating_rollup',
  dimensions: [
    { name: 'scheme', expr: 'scheme', type: 'LowCardinality(String)', description: 'rating scheme' },
    {
      name: 'star_level',
      expr: "toString(if(step = 'revoked', previous_stars, stars))",
      type: 'LowCardinality(String)',
      description: 'stars the step is about ("1"–"10"; for a revocation the stars taken away)',
      flowsOnly: true,
    },
  ],
  measures: [
    step('declared', '申报认星', 'ratings declared or applied for (农户认星, 支部申报)', "step = 'declared'"),
    step('assessed', '评星', 'ratings assessed (小组评星, 评定)', "step = 'assessed'"),
    step('rated', '定星', 'ratings decided (两委定星): first ratings and annual re-ratings', "step = 'decided'"),
    step('published', '公示亮星', 'ratings published (公示亮星)', "step = 'published'"),
    step('awarded', '激励挂星', 'ratings awarded with a plaque or incentive (激励挂星)', "step = 'awarded'"),
    step('adjusted', '动态调整星级', 'ratings adjusted up or down between annual ratings (动态调整)', "step = 'adjusted'"),
    step(
      'upgrades',
      '升星',
      'ratings raised: adjusted up, or an annual decision above the rating it replaces',
      "step IN ('decided', 'adjusted') AND previous_stars > 0 AND stars > previous_stars",
    ),
    step(
      'downgrades',
      '降星',
      'ratings lowered (but kept): adjusted down, or an annual decision below the rating it replaces',
      "step IN ('decided', 'adjusted') AND previous_stars > 0 AND stars < previous_stars",
    ),
    step('revoked', '摘星', 'ratings revoked (摘星): the entity has no rating afterwards', "step = 'revoked'"),
    inPlace('rated_in_place', '已评星对象', '个', 'branches, secretaries and households with a rating in place at period end', 1),
    inPlace('rated_branches', '已评星支部', '个', 'branches with a rating in place at period end', 1, 'five_star_branch'),
    inPlace('five_star_branches', '五星支部', '个', 'branches rated five stars at period end', 5, 'five_star_branch'),
    inPlace('branches_at_least_4_stars', '四星及以上支部', '个', 'branches rated four or five stars at period end', 4, 'five_star_branch'),
    inPlace('rated_secretaries', '已评星书记', '名', 'secretaries with a rating in place at period end', 1, 'secretary_stars'),
    inPlace('five_star_secretaries', '五星书记', '名', 'secretaries rated five stars at period end', 5, 'secretary_stars'),
    inPlace(
      'secretaries_at_least_4_stars',
      '四星及以上书记',
      '名',
      'secretaries rated four or five stars at period end',
      4,
      'secretary_stars',
    ),
    inPlace('rated_households', '已评星农户', '户', 'households with a ten-star rating in place at period end', 1, 'ten_star_household'),
    inPlace('ten_star_households', '十星级文明户', '户', 'households rated ten stars at period end', 10, 'ten_star_household'),
    inPlace(
      'households_at_least_8_stars',
      '八星及以上文明户',
      '户',
      'households rated eight to ten stars at period end',
      8,
      'ten_star_household',
    ),
  ],
  eventsCountedBy: ['declared', 'assessed', 'rated', 'published', 'awarded', 'adjusted', 'revoked'],
  derived: [
    {
      name: 'five_star_branch_share',
      label: '五星支部占比',
      unit: '%',
      description: 'five-star branches ÷ branches rated, at period end',
      expr: 'round(five_star_branches / nullIf(rated_branches, 0), 4)',
    },
    {
      name: 'ten_star_household_share',
      label: '十星级文明户占比',
      unit: '%',
      description: 'ten-star households ÷ households rated, at period end',
      expr: 'round(ten_star_households / nullIf(rated_households, 0), 4)',
    },
  ],
};
