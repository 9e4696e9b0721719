import { createHash } from 'node:crypto';
import type { CohortCalendar } from './cohort.ts';
import type { Course } from './course.ts';
import { cohortWeek, moduleWindows } from './schedule.ts';

/** An exercise's first pass before its module's due instant earns this share of its points on top. */
export const ON_TIME_BONUS = 0.2;

/** A first pass, as scoring sees it. */
export interface FirstPass {
  exerciseId: string;
  firstPassedAt: Date;
}

/** What a learner's first passes are worth in one cohort. */
export interface LearnerScore {
  /** Points including the on-time bonus: what the board ranks by. */
  points: number;
  bonus: number;
  exercises: number;
  modulesFinished: number;
  /** When they reached these points (their latest counted first pass): earlier wins a tie. Null without points. */
  reachedAt: Date | null;
}

/** Per exercise: its points, its bonus and the instant before which a first pass earns it; per module, its exercises. */
export interface ScoringPlan {
  exercises: ReadonlyMap<string, { points: number; bonus: number; dueAt: Date; module: number }>;
  exercisesPerModule: ReadonlyMap<number, number>;
}

/** The cohort's plan: due instants come from its calendar, so they follow its timezone and DST. */
export function scoringPlan(course: Course, calendar: CohortCalendar): ScoringPlan {
  const exercises = new Map<string, { points: number; bonus: number; dueAt: Date; module: number }>();
  const exercisesPerModule = new Map<number, number>();
  for (const window of moduleWindows(course, calendar)) {
    exercisesPerModule.set(window.module.number, window.module.exercises.length);
    for (const exercise of window.module.exercises) {
      exercises.set(exercise.id, { points: exercise.points, bonus: Math.round(exercise.points * ON_TIME_BONUS), dueAt: window.dueAt, module: window.module.number });
    }
  }
  return { exercises, exercisesPerModule };
}

/**
 * Changes whenever scores computed under one plan would differ under another (points or due instants edited,
 * timezone or start moved): stored beside the scores, it tells when they must be computed again.
 */
export function planKey(plan: ScoringPlan): string {
  const hash = createHash('sha256');
  for (const [id, e] of [...plan.exercises].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${id}:${e.points}:${e.bonus}:${e.dueAt.getTime()};`);
  return hash.digest('hex').slice(0, 16);
}

/** One learner's score: each passed exercise's points, plus its bonus if the first pass came strictly before the due instant. */
export function scoreLearner(passes: readonly FirstPass[], plan: ScoringPlan): LearnerScore {
  let points = 0;
  let bonus = 0;
  let exercises = 0;
  let reachedAt: Date | null = null;
  const perModule = new Map<number, number>();
  for (const pass of passes) {
    const rule = plan.exercises.get(pass.exerciseId);
    if (!rule) continue; // an exercise no longer in the course counts for nothing
    exercises += 1;
    points += rule.points;
    if (pass.firstPassedAt.getTime() < rule.dueAt.getTime()) bonus += rule.bonus;
    perModule.set(rule.module, (perModule.get(rule.module) ?? 0) + 1);
    if (reachedAt === null || pass.firstPassedAt > reachedAt) reachedAt = pass.firstPassedAt;
  }
  const modulesFinished = [...perModule].filter(([module, done]) => done === plan.exercisesPerModule.get(module)).length;
  return { points: points + bonus, bonus, exercises, modulesFinished, reachedAt: points + bonus > 0 ? reachedAt : null };
}

/**
 * Consecutive cohort weeks, up to now, each with at least one first pass. The week in progress extends a streak
 * but cannot break it: on Tuesday, last week's run still counts. Passes before the first release count for week 1.
 */
export function weeklyStreak(passTimes: readonly Date[], calendar: CohortCalendar, now: Date): number {
  const weeks = new Set(passTimes.filter((t) => t.getTime() <= now.getTime()).map((t) => Math.max(1, cohortWeek(calendar, t))));
  let week = cohortWeek(calendar, now);
  if (!weeks.has(week)) week -= 1;
  let streak = 0;
  while (week >= 1 && weeks.has(week)) {
    streak += 1;
    week -= 1;
  }
  return streak;
}

/** The board's order: more points first, then who reached them first, then who joined first (a stable order). */
export function compareStandings(a: { points: number; reachedAt: Date | null; learnerId: number }, b: { points: number; reachedAt: Date | null; learnerId: number }): number {
  const time = (s: { reachedAt: Date | null }) => s.reachedAt?.getTime() ?? Infinity;
  return b.points - a.points || time(a) - time(b) || a.learnerId - b.learnerId;
}

/** Exact ties (same points reached at the same moment, or no points) share a rank, as in 1, 2, 2, 4. */
export function sameRank(a: { points: number; reachedAt: Date | null }, b: { points: number; reachedAt: Date | null }): boolean {
  return a.points === b.points && (a.reachedAt?.getTime() ?? null) === (b.reachedAt?.getTime() ?? null);
}
