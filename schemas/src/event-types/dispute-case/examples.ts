import type { EventExamples } from '../../core/event-type.ts';

const resolved = {
  case_id: 'C1',
  category: 'neighbourhood',
  step: 'resolved',
  handling_level: 'village',
  received_at: '2024-03-01T09:00:00+08:00',
};

export const disputeCaseExamples: EventExamples = {
  valid: [resolved, { case_id: 'C2', category: 'labour_wages', step: 'received', handling_level: 'township', parties: 3 }],
  invalid: [
    { what: 'a resolution without received_at', data: { ...resolved, received_at: undefined }, error: 'received_at' },
    // The examples are stamped 2024-03-02 10:00 +08:00.
    {
      what: 'a case received after it was resolved',
      data: { ...resolved, received_at: '2024-03-05T00:00:00+08:00' },
      error: 'after the event time',
    },
  ],
};
