import type { Db } from './open-database.ts';

/** Study buddy opt-ins and the groups made per cohort and period. */
export function createBuddyQueries(db: Db) {
  const optIn = db.prepare<[number, number]>('UPDATE learners SET buddy_opt_in = ? WHERE id = ?');
  const optedIn = db.prepare<[number], { id: number }>('SELECT id FROM learners WHERE cohort_id = ? AND buddy_opt_in = 1 ORDER BY id');
  const insert = db.prepare<[number, string, number, number]>('INSERT INTO buddy_groups (cohort_id, period, group_no, learner_id) VALUES (?, ?, ?, ?)');
  const rows = db.prepare<[number], { period: string; group_no: number; learner_id: number }>(
    'SELECT period, group_no, learner_id FROM buddy_groups WHERE cohort_id = ? ORDER BY period, group_no, learner_id',
  );
  return {
    setOptIn(learnerId: number, on: boolean): void {
      optIn.run(on ? 1 : 0, learnerId);
    },
    optedIn(cohortId: number): number[] {
      return optedIn.all(cohortId).map((r) => r.id);
    },
    /** Every group ever made in the cohort, by period: learner ids per group. */
    groups(cohortId: number): Map<string, number[][]> {
      const byPeriod = new Map<string, number[][]>();
      for (const row of rows.all(cohortId)) {
        const groups = byPeriod.get(row.period) ?? [];
        (groups[row.group_no] ??= []).push(row.learner_id);
        byPeriod.set(row.period, groups);
      }
      return byPeriod;
    },
    save(cohortId: number, period: string, groups: readonly (readonly number[])[]): void {
      groups.forEach((group, i) => group.forEach((learnerId) => insert.run(cohortId, period, i, learnerId)));
    },
  };
}
