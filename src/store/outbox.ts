import type { Platform } from '../core/cohort.ts';
import type { Db } from './open-database.ts';

/** A message waiting for (or done with) delivery to a cohort's channel. */
export interface OutboxMessage {
  id: number;
  cohortId: number;
  platform: Platform;
  channelId: string;
  kind: string;
  /** Parsed JSON, as enqueued; the adapter that sends it validates its shape. */
  payload: unknown;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  platformMessageId: string | null;
  /** Set for a direct message to that platform user instead of a channel post. */
  recipientUserId: string | null;
}

interface OutboxRow {
  id: number;
  cohort_id: number;
  platform: Platform;
  channel_id: string;
  kind: string;
  payload: string;
  status: OutboxMessage['status'];
  attempts: number;
  last_error: string | null;
  platform_message_id: string | null;
  recipient_user_id: string | null;
}

function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    cohortId: row.cohort_id,
    platform: row.platform,
    channelId: row.channel_id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    platformMessageId: row.platform_message_id,
    recipientUserId: row.recipient_user_id,
  };
}

const SELECT = `SELECT o.id, o.cohort_id, c.platform, c.channel_id, o.kind, o.payload, o.status, o.attempts, o.last_error,
  o.platform_message_id, o.recipient_user_id FROM outbox o JOIN cohorts c ON c.id = o.cohort_id`;

export function createOutboxQueries(db: Db) {
  const insert = db.prepare<[number, string, string, string, string, string | null]>(
    'INSERT INTO outbox (cohort_id, kind, payload, next_attempt_at, created_at, recipient_user_id) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[number], OutboxRow>(`${SELECT} WHERE o.id = ?`);
  const due = db.prepare<[string, string, number], OutboxRow>(
    `${SELECT} WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND c.platform IN (SELECT value FROM json_each(?))
     ORDER BY o.next_attempt_at, o.id LIMIT ?`,
  );
  const sent = db.prepare<[string | null, string, number]>(
    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, platform_message_id = ?, sent_at = ?, last_error = NULL WHERE id = ?",
  );
  const retry = db.prepare<[string, string, number]>('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?');
  const failed = db.prepare<[string, number]>("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?");
  const pending = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM outbox WHERE cohort_id = ? AND status = 'pending'");

  return {
    /**
     * Stores a message for the cohort's channel, or for one of its people directly; it is sent by the outbox
     * worker, never by the caller.
     */
    enqueue(cohortId: number, kind: string, payload: unknown, now: Date, recipientUserId?: string): number {
      return Number(insert.run(cohortId, kind, JSON.stringify(payload), now.toISOString(), now.toISOString(), recipientUserId ?? null).lastInsertRowid);
    },
    find(id: number): OutboxMessage | undefined {
      const row = byId.get(id);
      return row && toMessage(row);
    },
    /** Pending messages whose time has come, for the platforms this process serves, oldest first. */
    due(now: Date, platforms: readonly Platform[], limit: number): OutboxMessage[] {
      return due.all(now.toISOString(), JSON.stringify(platforms), limit).map(toMessage);
    },
    markSent(id: number, platformMessageId: string | undefined, now: Date): void {
      sent.run(platformMessageId ?? null, now.toISOString(), id);
    },
    markRetry(id: number, error: string, nextAttemptAt: Date): void {
      retry.run(error, nextAttemptAt.toISOString(), id);
    },
    markFailed(id: number, error: string): void {
      failed.run(error, id);
    },
    pendingCount(cohortId: number): number {
      return pending.get(cohortId)?.n ?? 0;
    },
  };
}

export type OutboxQueries = ReturnType<typeof createOutboxQueries>;
