import type { Db } from './open-database.ts';

/** Ranks as the last weekly digest showed them (its top), per cohort. */
export function createDigestRankQueries(db: Db) {
  const all = db.prepare<[number], { learner_id: number; rank: number }>('SELECT learner_id, rank FROM digest_ranks WHERE cohort_id = ?');
  const clear = db.prepare<[number]>('DELETE FROM digest_ranks WHERE cohort_id = ?');
  const insert = db.prepare<[number, number, number]>('INSERT INTO digest_ranks (cohort_id, learner_id, rank) VALUES (?, ?, ?)');
  return {
    get(cohortId: number): Map<number, number> {
      return new Map(all.all(cohortId).map((r) => [r.learner_id, r.rank]));
    },
    /** Replaces the cohort's remembered ranks; call inside the transaction that claims the digest. */
    replace(cohortId: number, ranks: readonly { learnerId: number; rank: number }[]): void {
      clear.run(cohortId);
      for (const { learnerId, rank } of ranks) insert.run(cohortId, learnerId, rank);
    },
  };
}
