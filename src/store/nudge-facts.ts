import { passedCountsAmong } from '../core/cohort.ts';
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
}

/** What the nudge rule needs of every learner of a cohort, in one query: their last push and pass, and the exercise they are stuck on. */
export function createNudgeFactQueries(db: Db, results: Pick<ExerciseResultQueries, 'passesInCohort'>) {
  const facts = db.prepare<[number], Row>(
    `SELECT l.id, l.platform_user_id, l.display_name, l.reminders_opt_out, l.joined_at, s.head_changed_at,
       (SELECT max(r.first_passed_at) FROM exercise_results r WHERE r.learner_id = l.id) AS last_pass,
       (SELECT r.exercise_id FROM exercise_results r WHERE r.learner_id = l.id AND r.status = 'failed' AND r.first_passed_at IS NULL
          ORDER BY r.failed_streak DESC, r.exercise_id LIMIT 1) AS stuck_exercise,
       (SELECT max(r.failed_streak) FROM exercise_results r WHERE r.learner_id = l.id AND r.status = 'failed' AND r.first_passed_at IS NULL) AS stuck_commits
     FROM learners l LEFT JOIN github_sync_state s ON s.learner_id = l.id WHERE l.cohort_id = ? ORDER BY l.id`,
  );
  return {
    /** Per learner: who, and their facts; `released` are the exercise ids released so far. */
    forCohort(cohortId: number, released: ReadonlySet<string>): { learnerId: number; platformUserId: string; displayName: string; facts: NudgeFacts }[] {
      const done = passedCountsAmong(results.passesInCohort(cohortId), released);
      return facts.all(cohortId).map((row) => ({
        learnerId: row.id,
        platformUserId: row.platform_user_id,
        displayName: row.display_name,
        facts: {
          remindersOptOut: row.reminders_opt_out === 1,
          joinedAt: new Date(row.joined_at),
          lastPushAt: row.head_changed_at ? new Date(row.head_changed_at) : null,
          lastPassAt: row.last_pass ? new Date(row.last_pass) : null,
          stuck: row.stuck_exercise && row.stuck_commits ? { exerciseId: row.stuck_exercise, commits: row.stuck_commits } : undefined,
          openExercises: released.size - (done.get(row.id) ?? 0),
        },
      }));
    },
  };
}
