import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { eventTime } from '../../core/envelope.ts';
import { pseudonymousId, recordId } from '../../core/pseudonym.ts';

/** Cases are received by a village, or directly by a township or county mediation centre. */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village', 'township', 'county'];

export const DISPUTE_CATEGORIES = [
  'neighbourhood', // 邻里纠纷
  'marriage_family', // 婚姻家庭
  'land_resources', // 土地山林
  'housing_boundary', // 宅基地与房屋
  'labour_wages', // 劳资纠纷
  'contract_debt', // 合同债务
  'environment', // 环境污染
  'other',
] as const;

/** received → (escalated →)* resolved | closed_unresolved */
export const DISPUTE_STEPS = ['received', 'escalated', 'resolved', 'closed_unresolved'] as const;

/** Who handles the case at this step; "small matters stay in the village" is measured on this. */
export const HANDLING_LEVELS = ['village', 'township', 'county'] as const;

/** One step in the lifecycle of a dispute case (矛盾纠纷), version 1. */
export const disputeCaseV1 = z
  .object({
    case_id: recordId.describe('case id, the same for every step of one case'),
    category: z.enum(DISPUTE_CATEGORIES),
    step: z.enum(DISPUTE_STEPS),
    handling_level: z.enum(HANDLING_LEVELS).describe('level handling the case at this step'),
    received_at: eventTime.optional().describe('when the case was received; required after the first step, to compute time to resolve'),
    mediator_id: pseudonymousId.optional().describe('mediator (调解员), pseudonymous'),
    parties: z.int().min(2).max(500).optional().describe('number of parties involved'),
  })
  .strict()
  .refine((d) => d.step === 'received' || d.received_at !== undefined, {
    message: 'received_at is required for escalated, resolved and closed_unresolved steps',
    path: ['received_at'],
  });

export type DisputeCaseV1 = z.output<typeof disputeCaseV1>;

export const disputeCaseContracts = [
  defineContractVersion(1, disputeCaseV1, (d, event) => {
    const receivedAt = d.received_at ?? event.time;
    if (Date.parse(receivedAt) > Date.parse(event.time)) {
      // Thrown as a validation failure by the ingest decoder: time to resolve cannot be negative.
      throw new RangeError(`received_at ${receivedAt} is after the event time ${event.time}`);
    }
    return {
      case_id: d.case_id,
      category: d.category,
      step: d.step,
      handling_level: d.handling_level,
      received_at: new Date(receivedAt).toISOString(),
      mediator_id: d.mediator_id ?? '',
      parties: d.parties ?? 2,
    };
  }),
];
