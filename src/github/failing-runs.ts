import type { Learner } from '../core/cohort.ts';
import type { Course, Exercise } from '../core/course.ts';
import { decidingRun, type CheckRunFacts } from '../core/exercise-verdict.ts';
import { isReleased, moduleWindows } from '../core/schedule.ts';
import type { Store } from '../store/store.ts';
import type { RepoSnapshot } from './repo-queries.ts';

/** Annotation reads per repo per sync: a learner far behind still costs a handful of requests per push. */
export const MAX_RUNS_NAMED = 5;

export interface FailedRun {
  exercise: Exercise;
  run: CheckRunFacts;
}

/**
 * The failed runs at a snapshot's head whose failing tests are worth reading: each the deciding official run of an
 * exercise released to one of the repo's learners, completed with "failure" (a timeout or a cancellation names no
 * test), not yet read for every learner of the repo. Latest modules first, at most MAX_RUNS_NAMED: the exercises of
 * modules not yet released fail on every push of a starter repo and would cost a request each. A run read over
 * GraphQL has no id; one is taken as read when its commit's failing tests are stored, and the caller finds the id.
 */
export function failedRunsToName(store: Store, course: Course, learners: readonly Learner[], snapshot: RepoSnapshot, now: Date): FailedRun[] {
  const released = new Set<string>();
  for (const learner of learners) {
    const cohort = store.cohorts.findById(learner.cohortId);
    if (!cohort || cohort.calendarProblem) continue;
    for (const window of moduleWindows(course, cohort)) {
      if (isReleased(window, now)) for (const exercise of window.module.exercises) released.add(exercise.id);
    }
  }
  const stored = learners.map((l) => new Map(store.results.listForLearner(l.id).map((r) => [r.exerciseId, r])));
  const wanted: FailedRun[] = [];
  for (const exercise of course.modules.flatMap((m) => m.exercises).reverse()) {
    if (!released.has(exercise.id)) continue;
    const run = decidingRun(exercise, snapshot.oid, snapshot.runs);
    if (!run || run.status !== 'completed' || run.conclusion !== 'failure') continue;
    const readFor = (results: (typeof stored)[number]) => {
      const result = results.get(exercise.id);
      return result?.failing != null && (run.id === undefined ? result.lastCommit === snapshot.oid : result.failing.runId === run.id);
    };
    if (stored.every(readFor)) continue;
    wanted.push({ exercise, run });
    if (wanted.length === MAX_RUNS_NAMED) break;
  }
  return wanted;
}

/** The id of a run read over GraphQL, from the REST listing of the runs at its commit: same name, app and completion time. */
export function matchRunId(run: CheckRunFacts, listed: readonly { id: number; name: string; completedAt: string | null; appSlug: string | null }[]): number | undefined {
  return listed.find((r) => r.name === run.name && r.appSlug === run.appSlug && r.completedAt === run.completedAt)?.id;
}
