import type { Db } from './open-database.ts';

/** How far each learner got through each exercise's hints. */
export function createHintRevealQueries(db: Db) {
  // Counts up to `max`, never past it: the last hint asked for again stays the last.
  const reveal = db.prepare<[{ learnerId: number; exerciseId: string; max: number; now: string }], { revealed: number }>(
    `INSERT INTO hint_reveals (learner_id, exercise_id, revealed, first_at, last_at) VALUES (@learnerId, @exerciseId, 1, @now, @now)
     ON CONFLICT (learner_id, exercise_id) DO UPDATE SET revealed = min(hint_reveals.revealed + 1, @max), last_at = @now
     RETURNING revealed`,
  );
  const seen = db.prepare<[number, string], { revealed: number }>('SELECT revealed FROM hint_reveals WHERE learner_id = ? AND exercise_id = ?');
  const inCohort = db.prepare<[number], { learner_id: number; display_name: string; exercise_id: string; revealed: number }>(
    `SELECT h.learner_id, l.display_name, h.exercise_id, h.revealed FROM hint_reveals h JOIN learners l ON l.id = h.learner_id
     WHERE l.cohort_id = ? ORDER BY h.last_at DESC`,
  );
  return {
    /** How many hints of the exercise the learner had seen before this call (0 to max). */
    seen(learnerId: number, exerciseId: string): number {
      return seen.get(learnerId, exerciseId)?.revealed ?? 0;
    },
    /** Reveals the next hint (at most `max`); returns how many the learner has now seen. */
    reveal(learnerId: number, exerciseId: string, max: number, now: Date): number {
      return reveal.get({ learnerId, exerciseId, max, now: now.toISOString() })?.revealed ?? 1;
    },
    /** Every learner's hint use in a cohort, most recent first. */
    usageInCohort(cohortId: number): { learnerId: number; displayName: string; exerciseId: string; revealed: number }[] {
      return inCohort.all(cohortId).map((r) => ({ learnerId: r.learner_id, displayName: r.display_name, exerciseId: r.exercise_id, revealed: r.revealed }));
    },
  };
}
