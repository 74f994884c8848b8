import type { EventExamples } from '../../core/event-type.ts';

const created = { grid_id: 'VG001', kind: 'villager_group', step: 'created', households: 86, members: 1 };
const micro = { grid_id: 'MG012', parent_grid_id: 'PQ003', kind: 'micro', step: 'created', households: 24, members: 1 };
const changed = { ...created, step: 'changed', households: 92, members: 2, previous_households: 86, previous_members: 1 };

export const gridRegisterExamples: EventExamples = {
  valid: [
    created,
    micro,
    changed,
    { grid_id: 'UG004', kind: 'urban', step: 'retired', households: 412, members: 2 },
    { grid_id: 'JX001', kind: 'street_station', step: 'created', households: 120, members: 3 },
  ],
  invalid: [
    { what: 'a micro-grid without its parent', data: { ...micro, parent_grid_id: undefined }, error: 'parent_grid_id' },
    { what: 'a change without the values left', data: { ...changed, previous_households: undefined }, error: 'previous_households' },
    { what: 'previous values on a created step', data: { ...created, previous_members: 1 }, error: 'changed step only' },
    { what: 'a grid that is its own parent', data: { ...created, parent_grid_id: 'VG001' }, error: 'own parent' },
    { what: 'an unknown kind of grid', data: { ...created, kind: 'district' }, error: 'kind' },
    { what: 'more than 50 grid members', data: { ...created, members: 51 }, error: 'members' },
    { what: 'a retirement without its households', data: { ...created, step: 'retired', households: undefined }, error: 'households' },
  ],
};
