import type { Learner } from '../core/cohort.ts';
import type { Exercise } from '../core/course.ts';
import { exerciseVerdict } from '../core/exercise-verdict.ts';
import type { RepoSnapshot } from './repo-queries.ts';
import type { SyncDeps } from './repo-sync.ts';

/**
 * Turns what was read of a repo into each exercise's verdict for its learners. Per learner, the results, the
 * celebration of each first pass, the note about passes that did not count and the sync state are written in one
 * transaction: a crash loses none of them and repeats none.
 */
export function createSnapshotRecorder(deps: Pick<SyncDeps, 'store' | 'course' | 'clock' | 'guardedFiles' | 'celebrate' | 'notCounted'>) {
  const { store } = deps;
  const exercises = deps.course.modules.flatMap((m) => m.exercises);
  const guardsOf = new Map(exercises.map((e) => [e.id, deps.guardedFiles.filter((f) => f.exerciseId === undefined || f.exerciseId === e.id)]));

  return (learners: readonly Learner[], snapshot: RepoSnapshot): { passes: number; messages: number } => {
    let passes = 0;
    let messages = 0;
    const now = deps.clock.now();
    for (const learner of learners) {
      store.transaction(() => {
        const cohort = store.cohorts.findById(learner.cohortId);
        const notCounted: { exercise: Exercise; detail: string }[] = [];
        for (const exercise of exercises) {
          const guards = guardsOf.get(exercise.id) ?? [];
          const blobs = new Map(guards.map((f) => [f.path, snapshot.blobs.get(f.path) ?? null]));
          const verdict = exerciseVerdict(exercise, snapshot.oid, snapshot.runs, guards, blobs);
          const { firstPass, previous } = store.results.record(
            { learnerId: learner.id, exerciseId: exercise.id, status: verdict.status, commit: verdict.commit, detail: verdict.detail },
            now,
          );
          if (firstPass && cohort) {
            store.outbox.enqueue(cohort.id, 'celebration', deps.celebrate(learner, exercise), now);
            passes += 1;
            messages += 1;
          }
          // Told once per commit: a re-sync of the same head says nothing new.
          const toldAlready = previous?.status === 'tampered' && previous.lastCommit === verdict.commit;
          if (verdict.status === 'tampered' && !toldAlready) notCounted.push({ exercise, detail: verdict.detail ?? '' });
        }
        if (notCounted.length > 0 && cohort) {
          store.outbox.enqueue(cohort.id, 'not-counted', deps.notCounted(notCounted), now, learner.platformUserId);
          messages += 1;
        }
        store.syncState.saw(learner.id, snapshot.oid, snapshot.rollup, now);
      });
    }
    return { passes, messages };
  };
}
