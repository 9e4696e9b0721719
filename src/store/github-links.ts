import type { Db } from './open-database.ts';

export interface LinkRequest {
  learnerId: number;
  login: string;
  repo: string;
  code: string;
  issuedAt: Date;
}

/** One-time codes waiting to be found in a learner's repo. */
export function createLinkRequestQueries(db: Db) {
  const put = db.prepare<[number, string, string, string, string]>(
    `INSERT INTO github_link_requests (learner_id, login, repo, code, issued_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (learner_id) DO UPDATE SET login = excluded.login, repo = excluded.repo, code = excluded.code, issued_at = excluded.issued_at`,
  );
  const get = db.prepare<[number], { learner_id: number; login: string; repo: string; code: string; issued_at: string }>(
    'SELECT * FROM github_link_requests WHERE learner_id = ?',
  );
  const remove = db.prepare<[number]>('DELETE FROM github_link_requests WHERE learner_id = ?');
  return {
    /** Replaces any earlier request of the learner: only the latest code counts. */
    issue(request: LinkRequest): void {
      put.run(request.learnerId, request.login, request.repo, request.code, request.issuedAt.toISOString());
    },
    find(learnerId: number): LinkRequest | undefined {
      const row = get.get(learnerId);
      return row && { learnerId: row.learner_id, login: row.login, repo: row.repo, code: row.code, issuedAt: new Date(row.issued_at) };
    },
    remove(learnerId: number): void {
      remove.run(learnerId);
    },
  };
}

/** The course's workflow in a learner's repo: today's, or an earlier published one (exercises added since have no check). */
export type CourseVersion = 'current' | 'earlier';

export interface SyncState {
  headSha: string | null;
  rollup: string | null;
  syncedAt: Date | null;
  error: string | null;
  /** null: not read yet, or the workflow is missing or changed (the exercises' verdicts say so). */
  courseVersion: CourseVersion | null;
}

interface SyncRow {
  head_sha: string | null;
  rollup: string | null;
  synced_at: string | null;
  error: string | null;
  course_version: CourseVersion | null;
}

const date = (value: string | null) => (value === null ? null : new Date(value));

/** What the last sync saw of each learner's repo. */
export function createSyncStateQueries(db: Db) {
  const get = db.prepare<[number], SyncRow>('SELECT * FROM github_sync_state WHERE learner_id = ?');
  const saw = db.prepare<[{ learner: number; head: string | null; rollup: string | null; now: string; version: CourseVersion | null; known: number }]>(
    `INSERT INTO github_sync_state (learner_id, head_sha, rollup, synced_at, error, head_changed_at, course_version) VALUES (@learner, @head, @rollup, @now, NULL, @now, @version)
     ON CONFLICT (learner_id) DO UPDATE SET
       head_changed_at = CASE WHEN github_sync_state.head_sha IS NOT excluded.head_sha THEN excluded.synced_at ELSE github_sync_state.head_changed_at END,
       head_sha = excluded.head_sha, rollup = excluded.rollup, synced_at = excluded.synced_at, error = NULL,
       course_version = CASE WHEN @known THEN excluded.course_version ELSE github_sync_state.course_version END`,
  );
  const earlier = db.prepare<[number], { display_name: string; github_repo: string }>(
    `SELECT l.display_name, l.github_repo FROM learners l JOIN github_sync_state s ON s.learner_id = l.id
     WHERE l.cohort_id = ? AND s.course_version = 'earlier' AND l.github_repo IS NOT NULL ORDER BY l.display_name`,
  );
  const failed = db.prepare<[number, string]>(
    `INSERT INTO github_sync_state (learner_id, error) VALUES (?, ?) ON CONFLICT (learner_id) DO UPDATE SET error = excluded.error`,
  );
  const forget = db.prepare<[number]>('UPDATE github_sync_state SET head_sha = NULL, rollup = NULL, error = NULL, course_version = NULL WHERE learner_id = ?');
  return {
    get(learnerId: number): SyncState | undefined {
      const row = get.get(learnerId);
      return row && { headSha: row.head_sha, rollup: row.rollup, syncedAt: date(row.synced_at), error: row.error, courseVersion: row.course_version };
    },
    /**
     * The repo was read at this head and rollup; clears any earlier error. `courseVersion`: the course's workflow
     * found there (null: missing or changed); undefined when the read did not look at files, which keeps the last known.
     */
    saw(learnerId: number, headSha: string | null, rollup: string | null, now: Date, courseVersion?: CourseVersion | null): void {
      saw.run({ learner: learnerId, head: headSha, rollup, now: now.toISOString(), version: courseVersion ?? null, known: courseVersion === undefined ? 0 : 1 });
    },
    /** A cohort's learners whose repo holds an earlier version of the course's workflow, by name. */
    onEarlierCourse(cohortId: number): { displayName: string; repo: string }[] {
      return earlier.all(cohortId).map((row) => ({ displayName: row.display_name, repo: row.github_repo }));
    },
    failed(learnerId: number, error: string): void {
      failed.run(learnerId, error);
    },
    /** The next sync takes a full look (after a relink). */
    forget(learnerId: number): void {
      forget.run(learnerId);
    },
  };
}
