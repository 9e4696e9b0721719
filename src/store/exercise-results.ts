import type { ExerciseResult, ExerciseStatus, FailingTests } from '../core/cohort.ts';
import type { FirstPass } from '../core/scoring.ts';

/** A first pass of one learner of a cohort. */
export type Pass = FirstPass & { learnerId: number; commit: string | null };
import type { Db } from './open-database.ts';

interface ResultRow {
  learner_id: number;
  exercise_id: string;
  status: ExerciseStatus;
  first_passed_at: string | null;
  passed_commit: string | null;
  last_commit: string | null;
  detail: string | null;
  updated_at: string;
  failing_run_id: number | null;
  failing_tests: string | null;
}

function toResult(row: ResultRow): ExerciseResult {
  return {
    learnerId: row.learner_id,
    exerciseId: row.exercise_id,
    status: row.status,
    firstPassedAt: row.first_passed_at === null ? null : new Date(row.first_passed_at),
    passedCommit: row.passed_commit,
    lastCommit: row.last_commit,
    detail: row.detail,
    updatedAt: new Date(row.updated_at),
    failing: row.failing_run_id !== null && row.failing_tests !== null ? { runId: row.failing_run_id, tests: JSON.parse(row.failing_tests) as FailingTests } : null,
  };
}

export interface ResultUpdate {
  learnerId: number;
  exerciseId: string;
  status: ExerciseStatus;
  commit: string | null;
  detail: string | null;
  /** For a failed verdict: the run that decided it, and the failing tests its annotations named if they were read. */
  runId?: number | null;
  failingTests?: FailingTests | null;
}

type UpsertParams = Omit<ResultUpdate, 'failingTests'> & { now: string; runId: number | null; failingTests: string | null };

export function createExerciseResultQueries(db: Db) {
  const one = db.prepare<[number, string], ResultRow>('SELECT * FROM exercise_results WHERE learner_id = ? AND exercise_id = ?');
  const forLearner = db.prepare<[number], ResultRow>('SELECT * FROM exercise_results WHERE learner_id = ? ORDER BY exercise_id');
  const passesInCohort = db.prepare<[number], { learner_id: number; exercise_id: string; first_passed_at: string; passed_commit: string | null }>(
    `SELECT r.learner_id, r.exercise_id, r.first_passed_at, r.passed_commit FROM exercise_results r JOIN learners l ON l.id = r.learner_id
     WHERE l.cohort_id = ? AND r.first_passed_at IS NOT NULL`,
  );
  // The first pass's time and commit are written once and kept: a later failure is recorded but takes no credit away.
  // The failing tests stay with their run: a re-sync of the same failed run (or, with no run id as over GraphQL, of
  // the same commit) keeps them; another run or any other verdict drops them.
  const upsert = db.prepare<[UpsertParams], ResultRow>(
    `INSERT INTO exercise_results (learner_id, exercise_id, status, first_passed_at, passed_commit, last_commit, detail, updated_at, failed_streak,
                                   failing_run_id, failing_tests)
     VALUES (@learnerId, @exerciseId, @status, CASE WHEN @status = 'passed' THEN @now END,
             CASE WHEN @status = 'passed' THEN @commit END, @commit, @detail, @now, CASE WHEN @status = 'failed' THEN 1 ELSE 0 END,
             CASE WHEN @status = 'failed' AND @failingTests IS NOT NULL THEN @runId END, CASE WHEN @status = 'failed' THEN @failingTests END)
     ON CONFLICT (learner_id, exercise_id) DO UPDATE SET
       -- Failed on another commit than last time: one more in a row; failed again on the same commit: unchanged.
       failed_streak = CASE
         WHEN excluded.status <> 'failed' THEN 0
         WHEN exercise_results.status <> 'failed' THEN 1
         WHEN exercise_results.last_commit IS NOT excluded.last_commit THEN exercise_results.failed_streak + 1
         ELSE exercise_results.failed_streak END,
       status = excluded.status,
       first_passed_at = COALESCE(exercise_results.first_passed_at, excluded.first_passed_at),
       passed_commit = COALESCE(exercise_results.passed_commit, excluded.passed_commit),
       last_commit = excluded.last_commit,
       detail = excluded.detail,
       updated_at = excluded.updated_at,
       failing_run_id = CASE
         WHEN excluded.status <> 'failed' THEN NULL
         WHEN @failingTests IS NOT NULL THEN @runId
         WHEN exercise_results.failing_run_id = @runId OR (@runId IS NULL AND exercise_results.last_commit IS excluded.last_commit)
           THEN exercise_results.failing_run_id END,
       failing_tests = CASE
         WHEN excluded.status <> 'failed' THEN NULL
         WHEN @failingTests IS NOT NULL THEN @failingTests
         WHEN exercise_results.failing_run_id = @runId OR (@runId IS NULL AND exercise_results.last_commit IS excluded.last_commit)
           THEN exercise_results.failing_tests END
     RETURNING *`,
  );

  const forgetUncredited = db.prepare<[number, string]>('DELETE FROM exercise_results WHERE learner_id = ? AND exercise_id = ? AND first_passed_at IS NULL');

  return {
    /** Back to "not started": an exercise without credit loses its latest verdict (a pass, once earned, is kept). */
    forgetUncredited(learnerId: number, exerciseId: string): void {
      forgetUncredited.run(learnerId, exerciseId);
    },
    listForLearner(learnerId: number): ExerciseResult[] {
      return forLearner.all(learnerId).map(toResult);
    },
    /** Every pass that counts in a cohort, with the commit that first passed: for the web board and the export. */
    passesInCohort(cohortId: number): Pass[] {
      return passesInCohort
        .all(cohortId)
        .map((r) => ({ learnerId: r.learner_id, exerciseId: r.exercise_id, firstPassedAt: new Date(r.first_passed_at), commit: r.passed_commit }));
    },
    /**
     * Records the latest verdict; returns the stored row, the one it replaced, and whether this call is the first
     * pass (worth celebrating).
     */
    record: db.transaction((update: ResultUpdate, now: Date): { result: ExerciseResult; previous: ExerciseResult | undefined; firstPass: boolean } => {
      const before = one.get(update.learnerId, update.exerciseId);
      const failingTests = update.status === 'failed' && update.failingTests ? JSON.stringify(update.failingTests) : null;
      const row = upsert.get({ ...update, now: now.toISOString(), runId: update.runId ?? null, failingTests });
      if (!row) throw new Error('upsert … RETURNING gave no row');
      return { result: toResult(row), previous: before && toResult(before), firstPass: row.first_passed_at !== null && !before?.first_passed_at };
    }),
  };
}

export type ExerciseResultQueries = ReturnType<typeof createExerciseResultQueries>;
