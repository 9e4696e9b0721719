import type { Db } from './open-database.ts';

/** A cohort's own organisers, on top of the platform's admins. */
export function createOrganiserQueries(db: Db) {
  const insert = db.prepare<[number, string, string | null, string]>(
    'INSERT INTO cohort_organisers (cohort_id, platform_user_id, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const remove = db.prepare<[number, string]>('DELETE FROM cohort_organisers WHERE cohort_id = ? AND platform_user_id = ?');
  const one = db.prepare<[number, string], { n: number }>('SELECT 1 AS n FROM cohort_organisers WHERE cohort_id = ? AND platform_user_id = ?');
  const all = db.prepare<[number], { platform_user_id: string }>(
    'SELECT platform_user_id FROM cohort_organisers WHERE cohort_id = ? ORDER BY added_at, platform_user_id',
  );
  return {
    /** Returns false when they already were one. */
    add(cohortId: number, userId: string, addedBy: string | null, now: Date): boolean {
      return insert.run(cohortId, userId, addedBy, now.toISOString()).changes === 1;
    },
    /** Returns false when they were not one. */
    remove(cohortId: number, userId: string): boolean {
      return remove.run(cohortId, userId).changes === 1;
    },
    has(cohortId: number, userId: string): boolean {
      return one.get(cohortId, userId) !== undefined;
    },
    list(cohortId: number): string[] {
      return all.all(cohortId).map((row) => row.platform_user_id);
    },
  };
}
