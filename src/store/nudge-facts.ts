import { passedCountsAmong, type FailingTests } from '../core/cohort.ts';
import type { NudgeFacts } from '../core/nudges.ts';
import type { ExerciseResultQueries } from './exercise-results.ts';
import type { Db } from './open-database.ts';

interface Row {
  id: number;
  platform_user_id: string;
  display_name: string;
  reminders_opt_out: number;
  joined_at: string;
  head_changed_at: string | null;
  last_pass: string | null;
  stuck_exercise: string | null;
  stuck_commits: number | null;
  stuck_failing: string | null;
}

/** What the nudge rule needs of every learner of a cohort, in one query: their last push and pass, and the exercise they are stuck on. */
export function createNudgeFactQueries(db: Db, results: Pick<ExerciseResultQueries, 'passesInCohort'>) {
  // Stuck only on a released exercise: a starter repo fails the checks of every later module on each push too.
  const facts = db.prepare<[{ cohortId: number; released: string }], Row>(
    `WITH stuck AS (
       SELECT r.learner_id, r.exercise_id, r.failed_streak, r.failing_tests,
              row_number() OVER (PARTITION BY r.learner_id ORDER BY r.failed_streak DESC, r.exercise_id) AS place
       FROM exercise_results r JOIN learners l ON l.id = r.learner_id
       WHERE l.cohort_id = @cohortId AND r.status = 'failed' AND r.first_passed_at IS NULL
         AND r.exercise_id IN (SELECT value FROM json_each(@released)))
     SELECT l.id, l.platform_user_id, l.display_name, l.reminders_opt_out, l.joined_at, s.head_changed_at,
       (SELECT max(r.first_passed_at) FROM exercise_results r WHERE r.learner_id = l.id) AS last_pass,
       k.exercise_id AS stuck_exercise, k.failed_streak AS stuck_commits, k.failing_tests AS stuck_failing
     FROM learners l LEFT JOIN github_sync_state s ON s.learner_id = l.id LEFT JOIN stuck k ON k.learner_id = l.id AND k.place = 1
     WHERE l.cohort_id = @cohortId ORDER BY l.id`,
  );
  return {
    /** Per learner: who, and their facts; `released` are the exercise ids released so far. */
    forCohort(cohortId: number, released: ReadonlySet<string>): { learnerId: number; platformUserId: string; displayName: string; facts: NudgeFacts }[] {
      const done = passedCountsAmong(results.passesInCohort(cohortId), released);
      return facts.all({ cohortId, released: JSON.stringify([...released]) }).map((row) => ({
        learnerId: row.id,
        platformUserId: row.platform_user_id,
        displayName: row.display_name,
        facts: {
          remindersOptOut: row.reminders_opt_out === 1,
          joinedAt: new Date(row.joined_at),
          lastPushAt: row.head_changed_at ? new Date(row.head_changed_at) : null,
          lastPassAt: row.last_pass ? new Date(row.last_pass) : null,
          stuck:
            row.stuck_exercise && row.stuck_commits
              ? { exerciseId: row.stuck_exercise, commits: row.stuck_commits, ...(row.stuck_failing ? { failing: JSON.parse(row.stuck_failing) as FailingTests } : {}) }
              : undefined,
          openExercises: released.size - (done.get(row.id) ?? 0),
        },
      }));
    },
  };
}
