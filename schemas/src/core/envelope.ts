import { z } from 'zod';
import { placeCode } from './division-code.ts';

/**
 * The CloudEvents 1.0 envelope every govstats event travels in (structured JSON mode).
 * `type` names the event type and contract version (`govstats.<type>.v<N>`), `subject` is the
 * place it belongs to (a village or community, or a township, county or city for activity above
 * the village), `time` is when it happened (not when it was sent).
 */
export const EVENT_TYPE_PATTERN = /^govstats\.([a-z][a-z0-9-]{1,40})\.v([1-9][0-9]{0,2})$/;

const EARLIEST_EVENT_TIME = Date.parse('2000-01-01T00:00:00Z');
/** No event is dated before this China day: a state figure sums every change from it on. */
export const EARLIEST_EVENT_DAY = '2000-01-01';
const LATEST_EVENT_TIME = Date.parse('2100-01-01T00:00:00Z');

export const eventTime = z.iso.datetime({ offset: true, precision: undefined }).refine((t) => {
  const ms = Date.parse(t);
  return ms >= EARLIEST_EVENT_TIME && ms < LATEST_EVENT_TIME;
}, 'must be between 2000-01-01 and 2100-01-01');

export const envelope = z
  .object({
    specversion: z.literal('1.0'),
    id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
    source: z.string().min(1).max(256),
    type: z.string().regex(EVENT_TYPE_PATTERN, 'must look like govstats.<event-type>.v<version>'),
    time: eventTime,
    subject: placeCode,
    datacontenttype: z.literal('application/json').optional(),
    dataschema: z.string().max(256).optional(),
    data: z.unknown(),
  })
  .strict();

export type Envelope<Data = unknown> = Omit<z.infer<typeof envelope>, 'data'> & { data: Data };

export function eventTypeName(type: string): { name: string; version: number } | undefined {
  const match = EVENT_TYPE_PATTERN.exec(type);
  if (!match) return undefined;
  return { name: match[1]!, version: Number(match[2]) };
}

export function dataSchemaUri(name: string, version: number): string {
  return `urn:govstats:schema:${name}:v${version}`;
}
