import type { EventExamples } from '../../core/event-type.ts';

const posted = {
  posting_id: '411224104201-P1',
  person_id: 'cadre-411224104201-1',
  step: 'posted',
  role: 'first_secretary',
  employment: 'full_time',
  sending_unit: 'county',
};
const ended = {
  ...posted,
  step: 'ended',
  posted_at: '2023-06-01T09:00:00+08:00',
  end_reason: 'term_completed',
};

export const cadresInPostExamples: EventExamples = {
  valid: [
    posted,
    ended,
    {
      posting_id: '140404400200-P3',
      person_id: 'cadre-140404400200-3',
      step: 'posted',
      role: 'grid_member',
      employment: 'part_time',
      sending_unit: 'village',
      grid_id: '140404400200-G3',
    },
  ],
  invalid: [
    { what: 'an end without posted_at', data: { ...ended, posted_at: undefined }, error: 'posted_at' },
    // The examples are stamped 2024-03-02 10:00 +08:00.
    { what: 'a posting ended before it began', data: { ...ended, posted_at: '2024-04-01T09:00:00+08:00' }, error: 'after the event time' },
    { what: 'an end reason on a posting that begins', data: { ...posted, end_reason: 'recalled' }, error: 'end_reason' },
    { what: 'an unknown role', data: { ...posted, role: 'mayor' }, error: 'role' },
    { what: 'a name as person id', data: { ...posted, person_id: '李四' }, error: 'person_id' },
  ],
};
