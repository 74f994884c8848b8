import { describe, expect, it } from 'vitest';
import { emptyScenarioCounts, prepareScenario, scenarioLines, scenarioSchema, ScenarioConflict, type Scenario } from '../src/index.ts';

const XIUWEN = '140702105000';
const DONGHAO = '140702105220';

function scenario(overrides: Partial<Record<keyof Scenario, unknown>>): Scenario {
  return scenarioSchema.parse({ name: 'test', period: { from: '2023-01-01', to: '2023-03-31' }, places: [XIUWEN], ...overrides });
}

function refusal(s: Scenario): ScenarioConflict {
  try {
    prepareScenario(s);
  } catch (error) {
    if (error instanceof ScenarioConflict) return error;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

const target = (level: string, code: string, measure: string, value: number, extra: Record<string, unknown> = {}) => ({
  level,
  code,
  measure,
  value,
  ...extra,
});

describe('scenario targets that cannot all hold are refused, naming them', () => {
  it('more resolved than received', () => {
    const error = refusal(
      scenario({
        targets: [target('township', XIUWEN, 'dispute-case.resolved', 30), target('township', XIUWEN, 'dispute-case.received', 20)],
      }),
    );
    expect(error.message).toMatch(/more disputes resolved than received/);
    expect(error.message).toContain('dispute-case.resolved = 30');
    expect(error.message).toContain('dispute-case.received = 20');
  });

  it('fewer attendances than distinct attendees', () => {
    const error = refusal(
      scenario({
        targets: [
          target('village', DONGHAO, 'training-attendance.attendees', 50),
          target('village', DONGHAO, 'training-attendance.attendances', 40),
        ],
      }),
    );
    expect(error.message).toMatch(/fewer attendances than distinct attendees/);
    expect(error.message).toContain('training-attendance.attendees = 50');
  });

  it('a township total above its city’s', () => {
    const error = refusal(
      scenario({
        places: ['411200000000'],
        targets: [
          target('township', '411224104000', 'grid-visit.hazards_found', 300),
          target('city', '411200000000', 'grid-visit.hazards_found', 200),
        ],
      }),
    );
    expect(error.message).toMatch(/already add up to more than the target itself/);
    expect(error.message).toContain('township 411224104000: grid-visit.hazards_found = 300');
    expect(error.message).toContain('city 411200000000: grid-visit.hazards_found = 200');
  });

  it('a village resolving more in the village than its share of the township’s resolutions', () => {
    // 5 resolutions spread over 22 villages leave 东郝村 at most one; it cannot resolve 3 itself.
    const error = refusal(
      scenario({
        targets: [
          target('township', XIUWEN, 'dispute-case.resolved', 5),
          target('village', DONGHAO, 'dispute-case.resolved_in_village', 3),
        ],
      }),
    );
    expect(error.message).toMatch(/within its bound dispute-case.resolved/);
    expect(error.message).toContain(`village ${DONGHAO}: dispute-case.resolved_in_village = 3`);
    expect(error.message).toContain(`township ${XIUWEN}: dispute-case.resolved = 5`);
  });

  it('a place outside the scenario', () => {
    expect(refusal(scenario({ targets: [target('city', '411200000000', 'grid-visit.visits', 5)] })).message).toMatch(
      /no village or community of the scenario lies in 411200000000/,
    );
  });

  it('an unsupported filter', () => {
    expect(
      refusal(scenario({ targets: [target('township', XIUWEN, 'grid-visit.visits', 5, { filter: { kind: 'patrol' } })] })).message,
    ).toMatch(/filter not supported/);
  });

  it('refuses a malformed file with the problem and its path', () => {
    expect(() => scenarioSchema.parse({ name: 'x', period: { from: '2023-02-01', to: '2023-01-01' }, places: ['14'] })).toThrow(
      /places|from must not be after to/,
    );
  });
});

describe('scenario streams', () => {
  const small = scenario({ targets: [target('township', XIUWEN, 'grid-visit.hazards_found', 40)] });

  it('are the same for a seed and differ for another', () => {
    const first = [...scenarioLines(prepareScenario(small), emptyScenarioCounts())];
    const again = [...scenarioLines(prepareScenario(small), emptyScenarioCounts())];
    const other = [...scenarioLines(prepareScenario(small, 99), emptyScenarioCounts())];
    expect(first.length).toBeGreaterThan(1000);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('add injected faults on top of the valid events', () => {
    const clean = emptyScenarioCounts();
    const validLines = [...scenarioLines(prepareScenario(small), clean)];
    const faulty = emptyScenarioCounts();
    const lines = [
      ...scenarioLines(prepareScenario({ ...small, inject: { invalid: 0.01, duplicates: 0.01, out_of_order: 0.02, late: 0.01 } }), faulty),
    ];
    expect(faulty.events).toBe(clean.events);
    expect(faulty.invalid).toBeGreaterThan(0);
    expect(faulty.duplicates).toBeGreaterThan(0);
    expect(faulty.outOfOrder).toBeGreaterThan(0);
    expect(faulty.late).toBeGreaterThan(0);
    expect(lines.length).toBe(clean.events + faulty.invalid + faulty.duplicates);
    // Every valid event is still there, once at least.
    expect(new Set(lines).size).toBeGreaterThanOrEqual(new Set(validLines).size);
    for (const line of validLines.slice(0, 500)) expect(lines).toContain(line);
  });

  it('carry UUIDs as real producers send with ids: uuid, the same ones every time, duplicates keeping theirs', () => {
    const idsOf = (s: Scenario) =>
      [...scenarioLines(prepareScenario(s), emptyScenarioCounts())].map((l) => (JSON.parse(l) as { id: string }).id);
    const readable = idsOf(small);
    const uuids = idsOf({ ...small, ids: 'uuid' });
    expect(uuids.length).toBe(readable.length);
    for (const id of uuids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(new Set(readable).size);
    expect(idsOf({ ...small, ids: 'uuid' })).toEqual(uuids);
    // Random-looking: neighbouring events (same village, same day) share no id prefix.
    const prefixes = new Set(uuids.slice(0, 200).map((id) => id.slice(0, 4)));
    expect(prefixes.size).toBeGreaterThan(150);
    const duplicated = [
      ...scenarioLines(
        prepareScenario({ ...small, ids: 'uuid', inject: { invalid: 0, duplicates: 0.05, out_of_order: 0, late: 0 } }),
        emptyScenarioCounts(),
      ),
    ];
    const distinct = new Set(duplicated.map((l) => (JSON.parse(l) as { id: string }).id));
    expect(duplicated.length).toBeGreaterThan(distinct.size);
    expect(distinct).toEqual(new Set(uuids));
  });
});

describe('scenarios for any place in China', () => {
  const QUZHOU = '330800000000'; // 衢州市, 浙江省: 6 counties, 1,664 villages and communities
  // Little of everything the targets do not speak about, so the streams stay small.
  const quiet = {
    visits_per_member_per_month: 0.05,
    households_per_village: 1,
    grids_per_village: 1,
    disputes_per_village_per_year: 0,
    training_sessions_per_village_per_year: 0,
    cooperative_share: 0,
  };

  it('a city-level target of a few hundred sessions over all its villages, run by county and city schools', () => {
    const prepared = prepareScenario(
      scenario({
        places: [QUZHOU],
        period: { from: '2024-01-01', to: '2024-12-31' },
        targets: [
          target('city', QUZHOU, 'training-attendance.sessions', 300),
          target('city', QUZHOU, 'training-attendance.attendances', 15_000),
        ],
        activity: { ...quiet, training_organised_by: { county: 0.7, city: 0.3 } },
      }),
    );
    const lines = [...scenarioLines(prepared, emptyScenarioCounts())].map(
      (line) => JSON.parse(line) as { type: string; subject: string; data: Record<string, string> },
    );
    const attendances = lines.filter((e) => e.type === 'govstats.training-attendance.v1');
    expect(attendances).toHaveLength(15_000);
    expect(new Set(attendances.map((e) => e.data.session_id)).size).toBe(300);
    // Sessions belong to the schools that run them, not to a village ...
    expect(new Set(attendances.map((e) => e.subject.slice(6)))).toEqual(new Set(['000000']));
    expect(new Set(attendances.map((e) => e.data.organising_level))).toEqual(new Set(['county', 'city']));
    // ... and their attendees come from many villages.
    const villagesOfAttendees = new Set(attendances.map((e) => e.data.attendee_id!.slice(0, 12)));
    expect(villagesOfAttendees.size).toBeGreaterThan(1_000);
  });

  it('a target on the number of villages whose cooperatives sold something', () => {
    const prepared = prepareScenario(
      scenario({
        places: [QUZHOU],
        targets: [
          target('city', QUZHOU, 'cooperative-sale.villages_selling', 600),
          target('county', '330803000000', 'cooperative-sale.villages_selling', 40),
        ],
        activity: { ...quiet, sales_per_cooperative_per_month: 1 },
      }),
    );
    const sales = [...scenarioLines(prepared, emptyScenarioCounts())]
      .map((line) => JSON.parse(line) as { type: string; subject: string })
      .filter((e) => e.type === 'govstats.cooperative-sale.v1');
    expect(new Set(sales.map((e) => e.subject)).size).toBe(600);
    expect(new Set(sales.filter((e) => e.subject.startsWith('330803')).map((e) => e.subject)).size).toBe(40);
  });
});
