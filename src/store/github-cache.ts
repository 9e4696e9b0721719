import type { Db } from './open-database.ts';

/** Responses kept with their ETag, so the next request can be conditional (a 304 costs no rate limit). */
export function createGithubCacheQueries(db: Db) {
  const get = db.prepare<[string], { etag: string; body: string }>('SELECT etag, body FROM github_cache WHERE url = ?');
  const put = db.prepare<[string, string, string, string]>(
    `INSERT INTO github_cache (url, etag, body, fetched_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, body = excluded.body, fetched_at = excluded.fetched_at`,
  );
  const touch = db.prepare<[string, string]>('UPDATE github_cache SET fetched_at = ? WHERE url = ?');
  const prune = db.prepare<[string]>('DELETE FROM github_cache WHERE fetched_at < ?');
  return {
    get(url: string): { etag: string; body: unknown } | undefined {
      const row = get.get(url);
      return row && { etag: row.etag, body: JSON.parse(row.body) as unknown };
    },
    put(url: string, etag: string, body: unknown, now: Date): void {
      put.run(url, etag, JSON.stringify(body), now.toISOString());
    },
    /** Marks an entry as still in use (its ETag just earned a 304). */
    touch(url: string, now: Date): void {
      touch.run(now.toISOString(), url);
    },
    /** Forgets entries unused since `before` (old commits' trees and runs); returns how many. */
    prune(before: Date): number {
      return prune.run(before.toISOString()).changes;
    },
  };
}
