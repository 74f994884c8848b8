import type { EventExamples } from '../../core/event-type.ts';

// The examples are stamped 2024-03-02 10:00 +08:00.
const completed = {
  request_id: 'R1',
  channel: 'hotline_12345',
  category: 'utilities',
  step: 'completed',
  handling_level: 'village',
  received_at: '2024-03-01T09:00:00+08:00',
  due_at: '2024-03-06T09:00:00+08:00',
  after_reopen: false,
};

const claimed = {
  request_id: 'T7',
  channel: 'smart_community_task',
  category: 'elderly_disabled',
  step: 'claimed',
  handling_level: 'village',
  received_at: '2024-03-02T09:20:00+08:00',
  due_at: '2024-03-03T09:20:00+08:00',
  claimant_id: 'vol00012',
};

export const serviceRequestExamples: EventExamples = {
  valid: [
    completed,
    { request_id: 'R2', channel: 'grid_member', category: 'infrastructure', step: 'received', handling_level: 'village' },
    claimed,
    { ...claimed, claimant_id: 'vol00031', previous_claimant_id: 'vol00012' },
    { ...completed, step: 'rated', due_at: undefined, after_reopen: undefined, satisfaction: 5 },
    { ...completed, due_at: '2024-03-04T09:00:00+08:00', after_reopen: true },
  ],
  invalid: [
    { what: 'a completion without after_reopen', data: { ...completed, after_reopen: undefined }, error: 'after_reopen is required' },
    { what: 'after_reopen on a received step', data: { ...completed, step: 'received', after_reopen: false }, error: 'after_reopen' },
    { what: 'a completion without received_at', data: { ...completed, received_at: undefined }, error: 'received_at' },
    { what: 'a completion without a due time', data: { ...completed, due_at: undefined }, error: 'due_at is required' },
    { what: 'a due time before receipt', data: { ...completed, due_at: '2024-02-28T09:00:00+08:00' }, error: 'due_at must be after' },
    {
      what: 'a request received after it was completed',
      data: { ...completed, received_at: '2024-03-05T00:00:00+08:00', due_at: '2024-03-10T00:00:00+08:00' },
      error: 'after the event time',
    },
    { what: 'a claim without who claimed', data: { ...claimed, claimant_id: undefined }, error: 'claimant_id' },
    { what: 'a hotline work order claimed', data: { ...claimed, channel: 'hotline_12345' }, error: 'only smart_community_task' },
    { what: 'a rating without satisfaction', data: { ...completed, step: 'rated', after_reopen: undefined }, error: 'satisfaction' },
    { what: 'a rating of 6', data: { ...completed, step: 'rated', after_reopen: undefined, satisfaction: 6 }, error: 'satisfaction' },
    { what: 'an unknown channel', data: { ...completed, channel: 'wechat_group' }, error: 'channel' },
  ],
};
