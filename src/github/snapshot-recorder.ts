import type { Clock } from '../core/clock.ts';
import type { FailingTests, Learner } from '../core/cohort.ts';
import { COURSE_WORKFLOW_PATH, type Course, type Exercise } from '../core/course.ts';
import { exerciseVerdict } from '../core/exercise-verdict.ts';
import type { OfficialFile } from '../content/starter-repo.ts';
import type { CourseVersion } from '../store/github-links.ts';
import type { Store } from '../store/store.ts';
import type { RepoSnapshot } from './repo-queries.ts';

/** The failing tests of an exercise's failed run, read from the run's annotations. */
export interface NamedFailure {
  runId: number;
  tests: FailingTests;
}

export interface RecorderDeps {
  store: Store;
  course: Course;
  clock: Clock;
  /** Files of content/ that must be unchanged in the learner's repo, each with the exercise it guards (none: all). */
  guardedFiles: readonly OfficialFile[];
  /**
   * The channel message for a learner's first passes found by one read: one message however many, so a repo
   * linked with ten exercises already passing says so once. `firstLook`: the bot had never read this repo.
   */
  celebrate(learner: Learner, exercises: readonly Exercise[], firstLook: boolean): unknown;
  /** The direct message telling a learner why passing checks did not count (tests or workflow changed). */
  notCounted(items: { exercise: Exercise; detail: string }[]): unknown;
  /** Told after a learner's first passes are stored, e.g. to refresh their Slack Home tab. */
  onPassed?(learner: Learner): void;
}

/**
 * Turns what was read of a repo into each exercise's verdict for its learners. Per learner, the results, the
 * celebration of the first passes, the note about passes that did not count and the sync state are written in one
 * transaction: a crash loses none of them and repeats none. A paused cohort's channel hears nothing.
 */
export function createSnapshotRecorder(deps: RecorderDeps) {
  const { store } = deps;
  const exercises = deps.course.modules.flatMap((m) => m.exercises);
  const guardsOf = new Map(exercises.map((e) => [e.id, deps.guardedFiles.filter((f) => f.exerciseId === undefined || f.exerciseId === e.id)]));
  const workflow = deps.guardedFiles.find((f) => f.path === COURSE_WORKFLOW_PATH);
  /**
   * An earlier published workflow has no job for the exercises added since: /progress and /cohort status say so.
   * Undefined when the read looked at no files (REST reads the tree only once a run passed).
   */
  const courseVersionIn = (snapshot: RepoSnapshot): CourseVersion | null | undefined => {
    if (!workflow || snapshot.blobs.size === 0) return undefined;
    const actual = snapshot.blobs.get(workflow.path);
    if (actual === workflow.sha) return 'current';
    return actual !== undefined && workflow.formerShas.includes(actual) ? 'earlier' : null;
  };

  /** `failing`: the failing tests read from failed runs' annotations, by exercise id. */
  return (learners: readonly Learner[], snapshot: RepoSnapshot, failing: ReadonlyMap<string, NamedFailure> = new Map()): { passes: number; messages: number } => {
    let passes = 0;
    let messages = 0;
    const now = deps.clock.now();
    const courseVersion = courseVersionIn(snapshot);
    for (const learner of learners) {
      let passedAny = false;
      store.transaction(() => {
        const cohort = store.cohorts.findById(learner.cohortId);
        const firstLook = !store.syncState.get(learner.id)?.headSha;
        const notCounted: { exercise: Exercise; detail: string }[] = [];
        const passed: Exercise[] = [];
        for (const exercise of exercises) {
          const guards = guardsOf.get(exercise.id) ?? [];
          const blobs = new Map(guards.map((f) => [f.path, snapshot.blobs.get(f.path) ?? null]));
          const verdict = exerciseVerdict(exercise, snapshot.oid, snapshot.runs, guards, blobs);
          if (verdict.status === 'not-started') {
            // The learner's files are the starter's again (or were never changed): an old failure no longer applies.
            store.results.forgetUncredited(learner.id, exercise.id);
            continue;
          }
          const named = verdict.status === 'failed' ? failing.get(exercise.id) : undefined;
          const runId = verdict.status === 'failed' ? (named?.runId ?? verdict.runId ?? null) : null;
          const { firstPass, previous } = store.results.record(
            {
              learnerId: learner.id,
              exerciseId: exercise.id,
              status: verdict.status,
              commit: verdict.commit,
              detail: verdict.detail,
              runId,
              failingTests: named?.tests ?? null,
            },
            now,
          );
          if (firstPass) passed.push(exercise);
          // Told once per commit: a re-sync of the same head says nothing new.
          const toldAlready = previous?.status === 'tampered' && previous.lastCommit === verdict.commit;
          if (verdict.status === 'tampered' && !toldAlready) notCounted.push({ exercise, detail: verdict.detail ?? '' });
        }
        passes += passed.length;
        passedAny = passed.length > 0;
        if (passed.length > 0 && cohort?.status === 'active') {
          store.outbox.enqueue(cohort.id, 'celebration', deps.celebrate(learner, passed, firstLook), now);
          messages += 1;
        }
        if (notCounted.length > 0 && cohort) {
          store.outbox.enqueue(cohort.id, 'not-counted', deps.notCounted(notCounted), now, learner.platformUserId);
          messages += 1;
        }
        store.syncState.saw(learner.id, snapshot.oid, snapshot.rollup, now, courseVersion);
      });
      // After the commit: whoever is told reads what was stored.
      if (passedAny) deps.onPassed?.(learner);
    }
    return { passes, messages };
  };
}
