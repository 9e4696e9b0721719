import type { Db } from './open-database.ts';

/** What accepting a delivery found: new work, a redelivery of work not yet done, or one already handled. */
export type DeliveryAcceptance = 'new' | 'pending' | 'done';

export function createGithubDeliveryQueries(db: Db) {
  const insert = db.prepare<[{ id: string; event: string; repo: string | null; now: string }]>(
    `INSERT INTO github_deliveries (delivery_id, event, received_at, repo, processed_at)
     VALUES (@id, @event, @now, @repo, CASE WHEN @repo IS NULL THEN @now END) ON CONFLICT (delivery_id) DO NOTHING`,
  );
  const processedAt = db.prepare<[string], { processed_at: string | null }>('SELECT processed_at FROM github_deliveries WHERE delivery_id = ?');
  const pending = db.prepare<[], { delivery_id: string; repo: string; received_at: string }>(
    'SELECT delivery_id, repo, received_at FROM github_deliveries WHERE processed_at IS NULL AND repo IS NOT NULL ORDER BY received_at',
  );
  const done = db.prepare<[string, string]>('UPDATE github_deliveries SET processed_at = ? WHERE delivery_id = ? AND processed_at IS NULL');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM github_deliveries');
  const prune = db.prepare<[string]>('DELETE FROM github_deliveries WHERE received_at < ? AND processed_at IS NOT NULL');
  return {
    /**
     * Records a delivery and the repository it asks to sync (null: nothing to do), in one statement. A redelivery
     * of work that never finished is `pending`, so it is processed; one already handled is `done`.
     */
    accept(deliveryId: string, event: string, repo: string | null, now: Date): DeliveryAcceptance {
      if (insert.run({ id: deliveryId, event, repo: repo?.toLowerCase() ?? null, now: now.toISOString() }).changes === 1) return 'new';
      return processedAt.get(deliveryId)?.processed_at ? 'done' : 'pending';
    },
    /** Deliveries whose sync has not finished, oldest first: what a restart must still do. */
    pending(): { deliveryId: string; repo: string; receivedAt: Date }[] {
      return pending.all().map((row) => ({ deliveryId: row.delivery_id, repo: row.repo, receivedAt: new Date(row.received_at) }));
    },
    markProcessed(deliveryIds: readonly string[], now: Date): void {
      db.transaction(() => {
        for (const id of deliveryIds) done.run(now.toISOString(), id);
      })();
    },
    count(): number {
      return count.get()?.n ?? 0;
    },
    /** Forgets handled deliveries received before `before`: GitHub redelivers only recent ones. */
    prune(before: Date): number {
      return prune.run(before.toISOString()).changes;
    },
  };
}
