import { z } from 'zod';
import { defineScenarioPart } from '../../core/scenario-part.ts';
import { part, slice, spreadBefore, spreadHit, workingTime } from '../../core/scenario-calendar.ts';

/** Exactly what one village's grid members will do over the period. */
interface GridPlan {
  code: string;
  visits: number;
  householdVisits: number;
  serviceVisits: number;
  households: number;
  members: number;
  grids: number;
  hazards: number;
}

const OTHER_KINDS = ['patrol', 'policy_publicity', 'hazard_check', 'dispute_screening'] as const;
const VISIT_MEASURES = ['visits', 'household_visits', 'households_visited', 'grid_members_active', 'grids_active'];

export const gridVisitScenario = defineScenarioPart({
  activity: {
    visits_per_member_per_month: z.number().nonnegative().default(20).describe('visits and patrols per grid member per month'),
    households_per_village: z.int().positive().default(300).describe('households of an average village (about 70% are visited)'),
    grids_per_village: z.int().positive().default(6).describe('grids of an average village, one member each'),
  },
  targets: [
    {
      measure: 'visits',
      filters: {
        accepts: (filter) => Object.keys(filter).length === 0 || (Object.keys(filter).length === 1 && filter.kind === 'service_delivery'),
        described: 'kind=service_delivery',
      },
    },
    { measure: 'household_visits', atMost: { measure: 'visits', conflict: 'more household visits than visits' } },
    { measure: 'households_visited' },
    // Every village with any work has at least one grid and one grid member.
    { measure: 'grid_members_active', atMost: { measure: 'visits', conflict: 'more active grid members than visits' }, minimumPerPlace: 1 },
    { measure: 'grids_active', atMost: { measure: 'visits', conflict: 'more active grids than visits' }, minimumPerPlace: 1 },
    { measure: 'hazards_found' },
  ],

  /** Distinct grids, members and households first, then enough visits to reach all of them. */
  plan({ producer: { place }, settings, months, quota, fail }): GridPlan {
    const grids = quota('grids_active') ?? Math.max(1, Math.round(settings.grids_per_village * place.weight));
    const members = quota('grid_members_active') ?? grids;
    const households = quota('households_visited') ?? Math.round(settings.households_per_village * place.weight * 0.7);
    const serviceTarget = quota('visits', 'kind=service_delivery');
    const visitTarget = quota('visits');
    const householdTarget = quota('household_visits');
    let visits = visitTarget ?? Math.max(Math.round(members * settings.visits_per_member_per_month * months), members, grids);
    let serviceVisits = serviceTarget ?? Math.round(visits * (place.urban ? 0.2 : 0.08));
    let householdVisits = householdTarget ?? Math.max(households - serviceVisits, Math.round((visits - serviceVisits) * 0.55), 0);
    if (visitTarget === undefined) {
      visits = Math.max(visits, householdVisits + serviceVisits);
      if (serviceTarget === undefined) serviceVisits = Math.min(serviceVisits, visits - householdVisits);
    } else if (householdTarget === undefined) {
      householdVisits = Math.max(0, Math.min(householdVisits, visits - serviceVisits));
    }
    if (visits > 0 && (members === 0 || grids === 0)) fail('visits without a grid member or a grid', VISIT_MEASURES);
    if (visits < Math.max(members, grids)) fail(`${visits} visits cannot reach ${members} grid members and ${grids} grids`, VISIT_MEASURES);
    if (householdVisits + serviceVisits > visits) fail('more household and service visits than visits', VISIT_MEASURES);
    if (householdVisits + serviceVisits < households)
      fail(`${householdVisits + serviceVisits} household visits cannot reach ${households} households`, VISIT_MEASURES);
    const hazards = quota('hazards_found') ?? Math.round(visits * 0.03);
    if (hazards > visits * 100) fail('more than 100 hazards per visit', ['hazards_found', 'visits']);
    return { code: place.code, visits, householdVisits, serviceVisits, households, members, grids, hazards };
  },

  *emitDay(g, { day, dayStart, calendar, random }) {
    const [v0, v1] = slice(g.visits, calendar.work, day);
    for (let j = v0; j < v1; j++) {
      const service = spreadHit(j, g.visits, g.serviceVisits);
      const k = j - spreadBefore(j + 1, g.visits, g.serviceVisits);
      const household = !service && spreadHit(k, g.visits - g.serviceVisits, g.householdVisits);
      // The first visits bearing a household reach every household once; later ones revisit.
      const servicesBefore = spreadBefore(j, g.visits, g.serviceVisits);
      const ordinal = servicesBefore + spreadBefore(j - servicesBefore, g.visits - g.serviceVisits, g.householdVisits);
      const kind = service ? 'service_delivery' : household ? 'household_visit' : random.pick(OTHER_KINDS);
      yield {
        key: `v${j}`,
        time: workingTime(random, dayStart),
        data: {
          grid_id: `G${(j < g.grids ? j : random.int(0, g.grids - 1)) + 1}`,
          member_id: `${g.code}-M${(j < g.members ? j : random.int(0, g.members - 1)) + 1}`,
          household_id:
            service || household ? `${g.code}-H${(ordinal < g.households ? ordinal : random.int(0, g.households - 1)) + 1}` : null,
          kind,
          issues_found: random.chance(0.2) ? 1 : 0,
          hazards_found: part(g.hazards, g.visits, j),
          duration_minutes: random.int(10, 90),
        },
      };
    }
  },
});
