import { DateTime } from 'luxon';
import type { Cohort, Learner } from '../../core/cohort.ts';
import type { Course } from '../../core/course.ts';
import { compareStandings, scoreLearner, scoringPlan, weeklyStreak } from '../../core/scoring.ts';
import type { Pass } from '../../store/exercise-results.ts';
import { toCsv } from '../csv.ts';

/**
 * The organiser's export: one row per learner, best first, with their repo, score (points, bonus, streak) and, per
 * exercise, when it first passed (in the cohort's timezone) and at which commit. Scored by the same core rules as
 * the board, so the two always agree.
 */
export function cohortExportCsv(course: Course, cohort: Cohort, learners: readonly Learner[], passes: readonly Pass[], excluded: ReadonlySet<number>, now: Date): string {
  const plan = scoringPlan(course, cohort);
  const exercises = course.modules.flatMap((m) => m.exercises);
  const byLearner = new Map<number, Pass[]>();
  for (const pass of passes) {
    let mine = byLearner.get(pass.learnerId);
    if (!mine) byLearner.set(pass.learnerId, (mine = []));
    mine.push(pass);
  }
  const rows = learners
    .map((learner) => {
      const mine = byLearner.get(learner.id) ?? [];
      return { learner, learnerId: learner.id, mine, ...scoreLearner(mine, plan) };
    })
    .sort(compareStandings);
  const when = (instant: Date) => DateTime.fromJSDate(instant, { zone: cohort.timezone }).toFormat('yyyy-MM-dd HH:mm');
  const header = [
    'name',
    'github login',
    'github repo',
    'joined',
    'on the board',
    'points',
    'on-time bonus',
    'exercises passed',
    'modules finished',
    'weekly streak',
    ...exercises.flatMap((e) => [`${e.id} first pass (${cohort.timezone})`, `${e.id} commit`]),
  ];
  const body = rows.map(({ learner, mine, points, bonus, exercises: done, modulesFinished }) => {
    const passed = new Map(mine.map((p) => [p.exerciseId, p]));
    return [
      learner.displayName,
      learner.githubLogin,
      learner.githubRepo,
      when(learner.joinedAt),
      excluded.has(learner.id) ? 'no' : 'yes',
      points,
      bonus,
      done,
      modulesFinished,
      weeklyStreak(mine.map((p) => p.firstPassedAt), cohort, now),
      ...exercises.flatMap((e) => {
        const pass = passed.get(e.id);
        return [pass ? when(pass.firstPassedAt) : null, pass?.commit ?? null];
      }),
    ];
  });
  return toCsv([header, ...body]);
}
