import type { EventExamples } from '../../core/event-type.ts';

// The examples are stamped 2024-03-02 10:00 +08:00.
const closed = {
  hazard_id: 'H1',
  category: 'fire_safety',
  severity: 'minor',
  found_by: 'grid_member',
  step: 'verified_closed',
  found_at: '2024-02-20T15:00:00+08:00',
  reporter_id: 'gm000001',
};

export const hazardExamples: EventExamples = {
  valid: [
    closed,
    { hazard_id: 'H2', category: 'gas', severity: 'major', found_by: 'inspection', step: 'found', handling_level: 'township' },
    { ...closed, hazard_id: 'H3', found_at: '2024-03-02T09:40:00+08:00', closed_on_spot: true },
    { ...closed, hazard_id: 'H4', step: 'escalated', severity: 'serious', handling_level: 'county' },
  ],
  invalid: [
    { what: 'a closing without found_at', data: { ...closed, found_at: undefined }, error: 'found_at' },
    {
      what: 'a hazard found after it was closed',
      data: { ...closed, found_at: '2024-03-05T00:00:00+08:00' },
      error: 'after the event time',
    },
    { what: 'closed on the spot on a finding step', data: { ...closed, step: 'found', closed_on_spot: true }, error: 'closed_on_spot' },
    { what: 'an unknown severity', data: { ...closed, severity: 'catastrophic' }, error: 'severity' },
    { what: 'a name as reporter', data: { ...closed, reporter_id: '张三' }, error: 'reporter_id' },
  ],
};
