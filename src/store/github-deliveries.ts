import type { Db } from './open-database.ts';

export function createGithubDeliveryQueries(db: Db) {
  const insert = db.prepare<[string, string, string]>(
    'INSERT INTO github_deliveries (delivery_id, event, received_at) VALUES (?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM github_deliveries');
  const prune = db.prepare<[string]>('DELETE FROM github_deliveries WHERE received_at < ?');
  return {
    /** True the first time a delivery id is seen; false for a redelivery. */
    accept(deliveryId: string, event: string, now: Date): boolean {
      return insert.run(deliveryId, event, now.toISOString()).changes === 1;
    },
    count(): number {
      return count.get()?.n ?? 0;
    },
    /** Forgets deliveries received before `before`: GitHub redelivers only recent ones. */
    prune(before: Date): number {
      return prune.run(before.toISOString()).changes;
    },
  };
}
