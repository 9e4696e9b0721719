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

export interface SyncState {
  headSha: string | null;
  rollup: string | null;
  syncedAt: Date | null;
  error: string | null;
}

interface SyncRow {
  head_sha: string | null;
  rollup: string | null;
  synced_at: string | null;
  error: string | null;
}

const date = (value: string | null) => (value === null ? null : new Date(value));

/** What the last sync saw of each learner's repo. */
export function createSyncStateQueries(db: Db) {
  const get = db.prepare<[number], SyncRow>('SELECT * FROM github_sync_state WHERE learner_id = ?');
  const saw = db.prepare<[{ learner: number; head: string | null; rollup: string | null; now: string }]>(
    `INSERT INTO github_sync_state (learner_id, head_sha, rollup, synced_at, error, head_changed_at) VALUES (@learner, @head, @rollup, @now, NULL, @now)
     ON CONFLICT (learner_id) DO UPDATE SET
       head_changed_at = CASE WHEN github_sync_state.head_sha IS NOT excluded.head_sha THEN excluded.synced_at ELSE github_sync_state.head_changed_at END,
       head_sha = excluded.head_sha, rollup = excluded.rollup, synced_at = excluded.synced_at, error = NULL`,
  );
  const failed = db.prepare<[number, string]>(
    `INSERT INTO github_sync_state (learner_id, error) VALUES (?, ?) ON CONFLICT (learner_id) DO UPDATE SET error = excluded.error`,
  );
  const forget = db.prepare<[number]>('UPDATE github_sync_state SET head_sha = NULL, rollup = NULL, error = NULL WHERE learner_id = ?');
  return {
    get(learnerId: number): SyncState | undefined {
      const row = get.get(learnerId);
      return row && { headSha: row.head_sha, rollup: row.rollup, syncedAt: date(row.synced_at), error: row.error };
    },
    /** The repo was read at this head and rollup; clears any earlier error. */
    saw(learnerId: number, headSha: string | null, rollup: string | null, now: Date): void {
      saw.run({ learner: learnerId, head: headSha, rollup, now: now.toISOString() });
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
