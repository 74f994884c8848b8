import type { Allocation, ScenarioPlace } from './allocate.ts';
import type { Scenario, Target } from './scenario-file.ts';
import { failFor, periodMonths } from './village-plan.ts';

/** Exactly what one organiser of training (a village, or a township, county or city school) will run. */
export interface TrainingPlan {
  organiser: ScenarioPlace;
  /** Villages its attendees come from: the organiser itself when it is a village. */
  attendeeVillages: string[];
  sessions: number;
  attendances: number;
  attendees: number;
  /** People in named roles (first secretaries, …), counted among the attendees. */
  roleAttendees: [string, number][];
}

/** Sessions, attendances and people of one organiser, each person attending a session at most once. */
export function planTraining(organiser: ScenarioPlace, attendeeVillages: string[], scenario: Scenario, allocation: Allocation, targets: Target[]): TrainingPlan {
  const { activity } = scenario;
  const quota = (measure: string) => allocation.get(`training-attendance.${measure}|`)?.get(organiser.code);
  const fail = failFor(organiser, allocation, targets);
  const years = periodMonths(scenario) / 12;
  const attendanceTarget = quota('attendances');
  const sessionTarget = quota('sessions');
  // Unstated: each village's worth of the organiser's weight runs its yearly share of sessions.
  const sessions = sessionTarget ?? (attendanceTarget !== undefined ? Math.ceil(attendanceTarget / activity.attendances_per_session) : Math.round(activity.training_sessions_per_village_per_year * years * organiser.weight));
  const attendances = attendanceTarget ?? sessions * activity.attendances_per_session;
  const roleAttendees = [...allocation.keys()]
    .filter((k) => k.startsWith('training-attendance.attendees|role='))
    .map((k) => [k.split('role=')[1]!, allocation.get(k)!.get(organiser.code) ?? 0] as [string, number])
    .filter(([, n]) => n > 0);
  const roleTotal = roleAttendees.reduce((n, [, c]) => n + c, 0);
  const perSession = sessions > 0 ? Math.ceil(attendances / sessions) : 0;
  const attendees = quota('attendees') ?? Math.min(attendances, Math.max(perSession, roleTotal, Math.round(attendances / 4)));
  const measures = ['training-attendance.sessions', 'training-attendance.attendances', 'training-attendance.attendees'];
  if (attendances > 0 && sessions === 0) fail('attendances without sessions', measures);
  if (attendances < sessions || attendances < attendees) fail('fewer attendances than sessions or attendees', measures);
  if (perSession > attendees) fail(`${attendees} people cannot fill sessions of ${perSession} without attending one twice`, measures);
  if (roleTotal > attendees) fail('more attendees in named roles than attendees', measures);
  return { organiser, attendeeVillages, sessions, attendances, attendees, roleAttendees };
}
