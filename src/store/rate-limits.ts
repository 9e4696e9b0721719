import type { Db } from './open-database.ts';

export function createRateLimitQueries(db: Db) {
  const claim = db.prepare<[{ key: string; now: string; notBefore: string }]>(
    `INSERT INTO rate_limits (key, last_at) VALUES (@key, @now)
     ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at WHERE rate_limits.last_at <= @notBefore`,
  );
  const last = db.prepare<[string], { last_at: string }>('SELECT last_at FROM rate_limits WHERE key = ?');
  return {
    /**
     * Claims one use of `key` unless it was used less than `intervalMs` ago; returns the time left in ms when too
     * soon, 0 when claimed. One statement, so two commands at once cannot both pass.
     */
    claim(key: string, now: Date, intervalMs: number): number {
      if (claim.run({ key, now: now.toISOString(), notBefore: new Date(now.getTime() - intervalMs).toISOString() }).changes === 1) return 0;
      const at = last.get(key);
      return Math.max(1, (at ? new Date(at.last_at).getTime() : now.getTime()) + intervalMs - now.getTime());
    },
  };
}
