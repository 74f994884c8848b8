import { EVENT_TYPES, cloudEventType } from '@govstats/schemas';

/** A CloudEvents envelope for a test event (contract v1 unless told); `time` is local China time unless it has an offset. */
export function envelope(
  type: string,
  id: string,
  subject: string,
  time: string,
  data: Record<string, unknown>,
  version = 1,
): Record<string, unknown> {
  const eventType = EVENT_TYPES.find((t) => t.name === type);
  if (!eventType) throw new Error(`no event type ${type}`);
  return {
    specversion: '1.0',
    id,
    source: 'urn:govstats:test',
    type: cloudEventType(eventType, version),
    time: /[+-]\d\d:\d\d$|Z$/.test(time) ? time : `${time}+08:00`,
    subject,
    data,
  };
}

/** The data of a plain grid-visit patrol (contract v1): the event most system tests send in bulk. */
export function patrol(durationMinutes = 10): Record<string, unknown> {
  return {
    grid_id: 'G01',
    member_id: 'gm000001',
    household_id: null,
    kind: 'patrol',
    issues_found: 0,
    hazards_found: 0,
    duration_minutes: durationMinutes,
  };
}
