/** Cohorts and learners as the core sees them, independent of how they are stored or which platform they live on. */

export const PLATFORMS = ['discord', 'slack', 'console'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const COHORT_STATUSES = ['active', 'paused', 'finished'] as const;
export type CohortStatus = (typeof COHORT_STATUSES)[number];

/** When a cohort's weekly posts go out: the calendar that all module dates derive from. */
export interface CohortCalendar {
  /** Local calendar date `YYYY-MM-DD` in `timezone`. */
  startDate: string;
  /** IANA zone, e.g. `Europe/Berlin`. */
  timezone: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  postWeekday: number;
  /** Local wall-clock time `HH:MM`. */
  postTime: string;
  /**
   * Weekly slots (0 = the first post) the organisers skipped (`/cohort skip`, e.g. a holiday week): nothing is
   * released or due at them, so every later date moves a week.
   */
  skippedSlots?: readonly number[];
}

/** The rhythm of a cohort's reminders, digest and nudges (`/cohort settings`). */
export interface CohortSettings {
  reminderLeadHours: number;
  digest: { enabled: boolean; weekday: number; time: string };
  nudges: { inactiveDays: number; stuckCommits: number };
}

export const DEFAULT_COHORT_SETTINGS: CohortSettings = {
  reminderLeadHours: 48,
  digest: { enabled: true, weekday: 5, time: '17:00' },
  nudges: { inactiveDays: 7, stuckCommits: 3 },
};

export interface Cohort extends CohortCalendar {
  id: number;
  platform: Platform;
  /** Discord guild id, Slack team id, or `local` for the terminal. */
  workspaceId: string;
  channelId: string;
  name: string;
  status: CohortStatus;
  createdAt: Date;
  /** Why the stored calendar cannot be used (see `calendarProblem`); such a cohort posts nothing until fixed. */
  calendarProblem?: string | null;
  /** Defaults when absent. */
  settings?: CohortSettings;
}

export interface Learner {
  id: number;
  cohortId: number;
  platformUserId: string;
  displayName: string;
  githubLogin: string | null;
  /** `owner/name`. */
  githubRepo: string | null;
  githubVerifiedAt: Date | null;
  remindersOptOut: boolean;
  joinedAt: Date;
}

export const EXERCISE_STATUSES = ['pending', 'passed', 'failed', 'tampered'] as const;
export type ExerciseStatus = (typeof EXERCISE_STATUSES)[number];

/** The latest CI verdict for one exercise; credit is kept once `firstPassedAt` is set, whatever comes later. */
/** The tests a failed CI run named in its annotations: a few by name, `more` counts the others. */
export interface FailingTests {
  names: string[];
  more: number;
}

export interface ExerciseResult {
  learnerId: number;
  exerciseId: string;
  status: ExerciseStatus;
  firstPassedAt: Date | null;
  passedCommit: string | null;
  lastCommit: string | null;
  detail: string | null;
  updatedAt: Date;
  /** While failed: the run whose annotations named the failing tests, and what they said; null if not read. */
  failing: { runId: number; tests: FailingTests } | null;
}

/** Per learner, how many of `exerciseIds` they have passed, from a cohort's passes: linear in them. */
export function passedCountsAmong(passes: readonly { learnerId: number; exerciseId: string }[], exerciseIds: ReadonlySet<string>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const pass of passes) if (exerciseIds.has(pass.exerciseId)) counts.set(pass.learnerId, (counts.get(pass.learnerId) ?? 0) + 1);
  return counts;
}

/** Exercise ids that count as done: passed at least once. */
export function completedExercises(results: readonly ExerciseResult[]): Set<string> {
  return new Set(results.filter((r) => r.firstPassedAt !== null).map((r) => r.exerciseId));
}
