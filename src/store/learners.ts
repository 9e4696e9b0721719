import type { Learner } from '../core/cohort.ts';
import type { Db } from './open-database.ts';

interface LearnerRow {
  id: number;
  cohort_id: number;
  platform_user_id: string;
  display_name: string;
  github_login: string | null;
  github_repo: string | null;
  github_verified_at: string | null;
  reminders_opt_out: 0 | 1;
  joined_at: string;
}

function toLearner(row: LearnerRow): Learner {
  return {
    id: row.id,
    cohortId: row.cohort_id,
    platformUserId: row.platform_user_id,
    displayName: row.display_name,
    githubLogin: row.github_login,
    githubRepo: row.github_repo,
    githubVerifiedAt: row.github_verified_at === null ? null : new Date(row.github_verified_at),
    remindersOptOut: row.reminders_opt_out === 1,
    joinedAt: new Date(row.joined_at),
  };
}

export function createLearnerQueries(db: Db) {
  const insert = db.prepare<[number, string, string, string], LearnerRow>(
    `INSERT INTO learners (cohort_id, platform_user_id, display_name, joined_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (cohort_id, platform_user_id) DO NOTHING RETURNING *`,
  );
  const byUser = db.prepare<[number, string], LearnerRow>('SELECT * FROM learners WHERE cohort_id = ? AND platform_user_id = ?');
  const inCohort = db.prepare<[number], LearnerRow>('SELECT * FROM learners WHERE cohort_id = ? ORDER BY id');
  const rename = db.prepare<[string, number]>('UPDATE learners SET display_name = ? WHERE id = ?');
  const byRepo = db.prepare<[string], LearnerRow>(
    'SELECT * FROM learners WHERE lower(github_repo) = lower(?) AND github_verified_at IS NOT NULL ORDER BY id',
  );
  const repoHolder = db.prepare<[number, string, number], LearnerRow>(
    'SELECT * FROM learners WHERE cohort_id = ? AND lower(github_repo) = lower(?) AND id <> ?',
  );
  const link = db.prepare<[string, string, string, number]>(
    'UPDATE learners SET github_login = ?, github_repo = ?, github_verified_at = ? WHERE id = ?',
  );
  const byId = db.prepare<[number], LearnerRow>('SELECT * FROM learners WHERE id = ?');
  const optOut_ = db.prepare<[number, number]>('UPDATE learners SET reminders_opt_out = ? WHERE id = ?');
  const linkedActive = db.prepare<[], LearnerRow>(
    `SELECT l.* FROM learners l JOIN cohorts c ON c.id = l.cohort_id
     WHERE c.status = 'active' AND l.github_verified_at IS NOT NULL ORDER BY l.id`,
  );

  return {
    /** Joins a learner to a cohort; `created` is false when they were already in it. */
    join(cohortId: number, platformUserId: string, displayName: string, now: Date): { learner: Learner; created: boolean } {
      const row = insert.get(cohortId, platformUserId, displayName, now.toISOString());
      if (row) return { learner: toLearner(row), created: true };
      const existing = byUser.get(cohortId, platformUserId);
      if (!existing) throw new Error('learner vanished between insert and select');
      if (existing.display_name !== displayName) rename.run(displayName, existing.id);
      return { learner: toLearner({ ...existing, display_name: displayName }), created: false };
    },
    find(cohortId: number, platformUserId: string): Learner | undefined {
      const row = byUser.get(cohortId, platformUserId);
      return row && toLearner(row);
    },
    listInCohort(cohortId: number): Learner[] {
      return inCohort.all(cohortId).map(toLearner);
    },
    get(id: number): Learner | undefined {
      const row = byId.get(id);
      return row && toLearner(row);
    },
    /** Learners, in any cohort, whose verified repo this is. */
    findByRepo(repo: string): Learner[] {
      return byRepo.all(repo).map(toLearner);
    },
    /** Another learner of the cohort who has this repo linked. */
    repoHolder(cohortId: number, repo: string, exceptLearnerId: number): Learner | undefined {
      const row = repoHolder.get(cohortId, repo, exceptLearnerId);
      return row && toLearner(row);
    },
    /** Sets the verified GitHub login and repo; the cohort's unique index refuses a repo already linked. */
    linkGithub(learnerId: number, login: string, repo: string, now: Date): void {
      link.run(login, repo, now.toISOString(), learnerId);
    },
    /** Whether reminders may mention them (and nudges reach them). */
    setRemindersOptOut(learnerId: number, optOut: boolean): void {
      optOut_.run(optOut ? 1 : 0, learnerId);
    },
    /** Everyone whose repo is watched: verified, in a cohort that is running. */
    listLinkedInActiveCohorts(): Learner[] {
      return linkedActive.all().map(toLearner);
    },
  };
}

export type LearnerQueries = ReturnType<typeof createLearnerQueries>;
