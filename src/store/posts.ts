import type { Db } from './open-database.ts';

/** Claims of scheduled posts: one row per cohort, kind and period, so a post goes out at most once. */
export function createPostQueries(db: Db) {
  const claim = db.prepare<[number, string, string, number | null, string]>(
    'INSERT INTO posts (cohort_id, kind, period, outbox_id, claimed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (cohort_id, kind, period) DO NOTHING',
  );
  const periods = db.prepare<[number, string], { period: string }>('SELECT period FROM posts WHERE cohort_id = ? AND kind = ?');
  return {
    /** True when this call made the claim; false when the period was already claimed. */
    claim(cohortId: number, kind: string, period: string, outboxId: number | null, now: Date): boolean {
      return claim.run(cohortId, kind, period, outboxId, now.toISOString()).changes === 1;
    },
    claimedPeriods(cohortId: number, kind: string): Set<string> {
      return new Set(periods.all(cohortId, kind).map((row) => row.period));
    },
  };
}
