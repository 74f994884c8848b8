import { z } from 'zod';
import { DAY_MS, HOUR_MS } from '../../core/china-time.ts';
import { defineScenarioPart } from '../../core/scenario-part.ts';
import { slice, spreadHit, workingTime } from '../../core/scenario-calendar.ts';
import { REQUEST_CATEGORIES, REQUEST_CHANNELS } from './contract.ts';

type Channel = (typeof REQUEST_CHANNELS)[number];
type Category = (typeof REQUEST_CATEGORIES)[number];

/** Requests of one channel (or of the channels no target names), exactly. */
interface RequestStream {
  /** Fixed when a target names the channel; otherwise drawn per request from the plan's `drawn`. */
  channel?: Channel;
  received: number;
  /** Of them, completed (first completions); the rest are still open or closed unresolved. */
  completed: number;
  /** Of the completed, completed by their due time. */
  onTime: number;
}

interface ServiceRequestPlan {
  code: string;
  streams: RequestStream[];
  /** Channels drawn for requests of a stream without a fixed one, by weight. */
  drawn: Partial<Record<Channel, number>>;
  ratingShare: number;
  satisfactionRate: number;
}

/** Where requests come from: communities have smart-community task boards, villages rely on grid members and party members. */
const URBAN_CHANNELS: Record<Channel, number> = {
  hotline_12345: 30,
  app: 20,
  smart_community_task: 25,
  service_centre: 10,
  grid_member: 10,
  party_member_contact: 5,
};
const RURAL_CHANNELS: Record<Channel, number> = {
  hotline_12345: 25,
  app: 10,
  smart_community_task: 0,
  service_centre: 15,
  grid_member: 30,
  party_member_contact: 20,
};

const CATEGORY_WEIGHTS: Record<Category, number> = {
  policy_consultation: 20,
  infrastructure: 15,
  environment_sanitation: 15,
  utilities: 12,
  property_housing: 10,
  social_assistance: 10,
  elderly_disabled: 8,
  employment: 5,
  other: 5,
};

/** Time allowed to complete a request (办理时限), by channel: a claimed task within the day, a hotline work order in five days. */
const LIMIT_HOURS: Record<Channel, number> = {
  hotline_12345: 120,
  app: 72,
  service_centre: 48,
  grid_member: 72,
  party_member_contact: 72,
  smart_community_task: 24,
};

const ESCALATION_SHARE = 0.08;
const REOPEN_SHARE = 0.02;
const RECLAIM_SHARE = 0.03;
/** Of the requests not completed in the period, those closed unresolved; the others are still being handled at its end. */
const UNRESOLVED_SHARE = 0.5;

const TARGETED = ['received', 'completed', 'completed_on_time'];

/** Request figures may be targeted for all channels or for one. */
const byChannel = {
  accepts: (filter: Record<string, string>) => {
    const keys = Object.keys(filter);
    return keys.length === 0 || (keys.length === 1 && (REQUEST_CHANNELS as readonly string[]).includes(filter.channel ?? ''));
  },
  described: `none, or channel (${REQUEST_CHANNELS.join(', ')})`,
};

export const serviceRequestScenario = defineScenarioPart({
  activity: {
    service_requests_per_village_per_year: z
      .number()
      .nonnegative()
      .max(100_000)
      .default(20)
      .describe('requests an average rural village receives in a year'),
    service_requests_per_community_per_year: z
      .number()
      .nonnegative()
      .max(100_000)
      .default(60)
      .describe('requests an average urban community receives in a year'),
    service_request_completion_rate: z.number().min(0).max(1).default(0.95).describe('share of received requests completed (办结率)'),
    service_request_on_time_rate: z.number().min(0).max(1).default(0.92).describe('share of completed requests completed on time'),
    service_request_rating_share: z.number().min(0).max(1).default(0.6).describe('share of completed requests the resident rates'),
    service_request_satisfaction_rate: z.number().min(0).max(1).default(0.95).describe('share of ratings that are 4 or 5 (满意率)'),
  },
  targets: [
    { measure: 'received', filters: byChannel },
    { measure: 'completed', atMost: { measure: 'received', conflict: 'more requests completed than received' }, filters: byChannel },
    {
      measure: 'completed_on_time',
      atMost: { measure: 'completed', conflict: 'more requests completed on time than completed' },
      filters: byChannel,
    },
  ],

  /** Targeted channels exactly as targeted, then the place's other requests (the rest of its totals) from the channels left. */
  plan({ producer: { place }, settings, months, quota, targetedFilters, fail }): ServiceRequestPlan {
    const completionRate = settings.service_request_completion_rate;
    const onTimeRate = settings.service_request_on_time_rate;
    const resolve = (counts: (number | undefined)[], base: number, what: string): Omit<RequestStream, 'channel'> => {
      const [r, c, t] = counts;
      let completed = c ?? (t === undefined ? undefined : Math.max(t, onTimeRate > 0 ? Math.round(t / onTimeRate) : t));
      if (c === undefined && completed !== undefined && r !== undefined) completed = Math.max(t ?? 0, Math.min(completed, r));
      const received =
        r ?? (completed === undefined ? base : Math.max(completed, completionRate > 0 ? Math.ceil(completed / completionRate) : completed));
      completed ??= Math.round(received * completionRate);
      const onTime = t ?? Math.round(completed * onTimeRate);
      if (onTime > completed || completed > received)
        fail(`${what}: more requests completed on time than completed, or completed than received`, TARGETED);
      return { received, completed, onTime };
    };

    const streams: RequestStream[] = [];
    const fixed = new Set<Channel>();
    for (const filter of targetedFilters().filter((f) => f.startsWith('channel='))) {
      const counts = TARGETED.map((m) => quota(m, filter));
      if (counts.every((n) => n === undefined)) continue;
      const channel = filter.slice('channel='.length) as Channel;
      fixed.add(channel);
      // A channel targeted for one figure only gets none beyond what that figure implies.
      streams.push({ channel, ...resolve(counts, 0, `channel ${channel}`) });
    }
    const perYear = place.urban ? settings.service_requests_per_community_per_year : settings.service_requests_per_village_per_year;
    const base = Math.round(perYear * (months / 12) * place.weight);
    const sums = [0, 1, 2].map((i) => streams.reduce((n, s) => n + [s.received, s.completed, s.onTime][i]!, 0));
    const totals = TARGETED.map((m, i) => {
      const q = quota(m);
      return q === undefined ? undefined : q - sums[i]!;
    });
    if (totals.some((n) => n !== undefined && n < 0)) fail('the channel targets give this place more requests than its totals', TARGETED);
    const rest = resolve(totals, base, 'the channels no target names');
    const weights = place.urban ? URBAN_CHANNELS : RURAL_CHANNELS;
    const drawn = Object.fromEntries(Object.entries(weights).filter(([c, w]) => w > 0 && !fixed.has(c as Channel)));
    if (rest.received > 0 && Object.keys(drawn).length === 0)
      fail('every channel is targeted here, but the totals ask for more requests than the channels', TARGETED);
    if (rest.received > 0) streams.push(rest);
    return {
      code: place.code,
      streams,
      drawn,
      ratingShare: settings.service_request_rating_share,
      satisfactionRate: settings.service_request_satisfaction_rate,
    };
  },

  /**
   * Every step of a request with its own time. Requests completed in the period come first and
   * are received early enough to finish (and be rated) inside it; the last ones received are
   * those still open or closed unresolved at its end.
   */
  *emitDay(plan, { day, dayStart, calendar, random }) {
    const days = calendar.days.length;
    const periodEnd = calendar.days[days - 1]! + DAY_MS;
    const receiptDays = Math.max(1, days > 42 ? days - 21 : Math.ceil(days / 2));
    for (let k = 0; k < plan.streams.length; k++) {
      const stream = plan.streams[k]!;
      const [n0, n1] = slice(stream.received, calendar.every, day, receiptDays);
      for (let n = n0; n < n1; n++) {
        const channel = stream.channel ?? random.weighted(plan.drawn as Record<Channel, number>);
        const receivedAt = workingTime(random, dayStart, 8, 20);
        const limit = LIMIT_HOURS[channel] * HOUR_MS;
        const completed = n < stream.completed;
        const late = completed && spreadHit(n, stream.completed, stream.completed - stream.onTime);
        const closedUnresolved =
          !completed &&
          spreadHit(n - stream.completed, stream.received - stream.completed, UNRESOLVED_SHARE * (stream.received - stream.completed));
        const claimedTask = channel === 'smart_community_task';
        // Offsets from receipt as shares of the time limit, in increasing bands so the steps stay in order.
        const steps: { at: number; step: string; extra: Record<string, unknown> }[] = [];
        const level = channel === 'hotline_12345' && random.chance(0.2) ? 'township' : 'village';
        if (claimedTask) {
          const claimant = `${plan.code}V${random.int(1, 12)}`;
          const claimAt = random.int(5, 180) * 60_000;
          steps.push({ at: claimAt, step: 'claimed', extra: { handling_level: 'village', claimant_id: claimant } });
          if (random.chance(RECLAIM_SHARE)) {
            const next = `${plan.code}V${random.int(13, 24)}`;
            steps.push({
              at: claimAt + random.int(30, 90) * 60_000,
              step: 'claimed',
              extra: { handling_level: 'village', claimant_id: next, previous_claimant_id: claimant },
            });
          }
        } else {
          steps.push({ at: limit * (0.02 + random.next() * 0.08), step: 'assigned', extra: { handling_level: level } });
        }
        const escalated = !claimedTask && (completed || closedUnresolved) && random.chance(ESCALATION_SHARE);
        const finalLevel = escalated ? (level === 'village' ? 'township' : 'county') : claimedTask ? 'village' : level;
        if (escalated) steps.push({ at: limit * (0.12 + random.next() * 0.16), step: 'escalated', extra: { handling_level: finalLevel } });
        if (completed) {
          const doneAt = limit * (late ? 1.05 + random.next() * 0.75 : 0.3 + random.next() * 0.68);
          steps.push({ at: doneAt, step: 'completed', extra: { handling_level: finalLevel, after_reopen: false } });
          let lastDone = doneAt;
          if (random.chance(REOPEN_SHARE)) {
            const reopenAt = doneAt + random.int(4, 48) * HOUR_MS;
            lastDone = reopenAt + random.int(12, 72) * HOUR_MS;
            steps.push({ at: reopenAt, step: 'reopened', extra: { handling_level: finalLevel } });
            steps.push({ at: lastDone, step: 'completed', extra: { handling_level: finalLevel, after_reopen: true, dueFrom: reopenAt } });
          }
          if (random.chance(plan.ratingShare)) {
            const satisfaction = random.chance(plan.satisfactionRate) ? (random.chance(0.7) ? 5 : 4) : random.int(1, 3);
            steps.push({ at: lastDone + random.int(2, 48) * HOUR_MS, step: 'rated', extra: { handling_level: finalLevel, satisfaction } });
          }
        } else if (closedUnresolved) {
          steps.push({ at: limit * (1.1 + random.next() * 0.9), step: 'closed_unresolved', extra: { handling_level: finalLevel } });
        }
        // In a short period every offset shrinks alike, so the steps stay in order, on time or late, and inside it.
        const span = Math.max(limit, ...steps.map((s) => s.at));
        const shrink = Math.min(1, (periodEnd - 60_000 - receivedAt) / span);
        const base = { request_id: `${plan.code}-S${k}-${n + 1}`, channel, category: random.weighted(CATEGORY_WEIGHTS) };
        const receivedIso = new Date(receivedAt).toISOString();
        yield {
          key: `${k}-${n}-0`,
          time: receivedAt,
          data: { ...base, step: 'received', handling_level: channel === 'hotline_12345' ? 'city' : 'village' },
        };
        for (let j = 0; j < steps.length; j++) {
          const { at, step, extra } = steps[j]!;
          const { dueFrom, ...fields } = extra as { dueFrom?: number } & Record<string, unknown>;
          const dueAt = receivedAt + Math.round(((dueFrom ?? 0) + limit) * shrink);
          const due = step === 'rated' || step === 'reopened' ? {} : { due_at: new Date(dueAt).toISOString() };
          yield {
            key: `${k}-${n}-${j + 1}`,
            time: receivedAt + Math.round(at * shrink),
            data: { ...base, step, received_at: receivedIso, ...due, ...fields },
          };
        }
      }
    }
  },
});
