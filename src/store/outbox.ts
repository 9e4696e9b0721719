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
  /** When the first attempt started; null while none has. */
  firstAttemptAt: Date | null;
  /** Retries go on for a day from here: creation, or the organiser's last resend. */
  retrySince: Date;
  /** Set once the message is sent together with others: the id of the group's first message. */
  groupId: number | null;
  /** The platform message this one replaces (edits) instead of posting anew: the board's. */
  editOf: string | null;
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
  first_attempt_at: string | null;
  retry_since: string | null;
  created_at: string;
  group_id: number | null;
  edit_of: string | null;
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
    firstAttemptAt: row.first_attempt_at ? new Date(row.first_attempt_at) : null,
    retrySince: new Date(row.retry_since ?? row.created_at),
    groupId: row.group_id,
    editOf: row.edit_of,
  };
}

const SELECT = `SELECT o.id, o.cohort_id, c.platform, c.channel_id, o.kind, o.payload, o.status, o.attempts, o.last_error,
  o.platform_message_id, o.recipient_user_id, o.first_attempt_at, o.retry_since, o.created_at, o.group_id, o.edit_of FROM outbox o JOIN cohorts c ON c.id = o.cohort_id`;

export function createOutboxQueries(db: Db) {
  const insert = db.prepare<[number, string, string, string, string, string | null]>(
    'INSERT INTO outbox (cohort_id, kind, payload, next_attempt_at, created_at, recipient_user_id) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertEdit = db.prepare<[number, string, string, string, string, string | null]>(
    'INSERT INTO outbox (cohort_id, kind, payload, next_attempt_at, created_at, edit_of) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const pendingOfKind = db.prepare<[number, string], { n: number }>("SELECT count(*) AS n FROM outbox WHERE cohort_id = ? AND kind = ? AND status = 'pending'");
  const byId = db.prepare<[number], OutboxRow>(`${SELECT} WHERE o.id = ?`);
  const due = db.prepare<[{ now: string; platforms: string; limit: number }], OutboxRow>(
    `${SELECT} WHERE o.status = 'pending' AND o.next_attempt_at <= @now AND (o.lease_until IS NULL OR o.lease_until <= @now)
     AND c.platform IN (SELECT value FROM json_each(@platforms)) ORDER BY o.next_attempt_at, o.id LIMIT @limit`,
  );
  const claim = db.prepare<[{ until: string; now: string; id: number }]>(
    `UPDATE outbox SET lease_until = @until, first_attempt_at = coalesce(first_attempt_at, @now)
     WHERE id = @id AND status = 'pending' AND (lease_until IS NULL OR lease_until <= @now)`,
  );
  const sent = db.prepare<[string | null, string, number]>(
    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, platform_message_id = ?, sent_at = ?, last_error = NULL, lease_until = NULL WHERE id = ?",
  );
  const retry = db.prepare<[string, string, number]>('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_until = NULL WHERE id = ?');
  const failed = db.prepare<[string, number]>("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, lease_until = NULL WHERE id = ?");
  const pending = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM outbox WHERE cohort_id = ? AND status = 'pending'");
  const setGroup = db.prepare<[number, number]>('UPDATE outbox SET group_id = ? WHERE id = ?');
  const inGroup = db.prepare<[number], OutboxRow>(`${SELECT} WHERE o.group_id = ? AND o.status = 'pending' ORDER BY o.id`);
  const allIn = db.prepare<[number], OutboxRow>(`${SELECT} WHERE o.cohort_id = ? ORDER BY o.id`);
  const failedIn = db.prepare<[number, number], OutboxRow>(`${SELECT} WHERE o.cohort_id = ? AND o.status = 'failed' ORDER BY o.id DESC LIMIT ?`);
  const failedCount = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM outbox WHERE cohort_id = ? AND status = 'failed'");
  const byStatus = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM outbox WHERE status = ?');
  const lastPosts = db.prepare<[], { cohort_id: number; sent_at: string }>(
    "SELECT cohort_id, max(sent_at) AS sent_at FROM outbox WHERE status = 'sent' AND recipient_user_id IS NULL AND sent_at IS NOT NULL GROUP BY cohort_id",
  );
  const resend = db.prepare<[{ now: string; cohort: number }]>(
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = @now, retry_since = @now, lease_until = NULL WHERE cohort_id = @cohort AND status = 'failed'",
  );

  return {
    /**
     * Stores a message for the cohort's channel, or for one of its people directly; it is sent by the outbox
     * worker, never by the caller.
     */
    enqueue(cohortId: number, kind: string, payload: unknown, now: Date, recipientUserId?: string): number {
      return Number(insert.run(cohortId, kind, JSON.stringify(payload), now.toISOString(), now.toISOString(), recipientUserId ?? null).lastInsertRowid);
    },
    /** A channel message that edits `editOf` (a platform message id) when delivered, or posts anew without one. */
    enqueueReplacing(cohortId: number, kind: string, payload: unknown, now: Date, editOf: string | null): number {
      return Number(insertEdit.run(cohortId, kind, JSON.stringify(payload), now.toISOString(), now.toISOString(), editOf).lastInsertRowid);
    },
    /** Whether a message of this kind is still waiting to be sent for the cohort. */
    hasPending(cohortId: number, kind: string): boolean {
      return (pendingOfKind.get(cohortId, kind)?.n ?? 0) > 0;
    },
    find(id: number): OutboxMessage | undefined {
      const row = byId.get(id);
      return row && toMessage(row);
    },
    /** Pending messages whose time has come, for the platforms this process serves, oldest first. */
    due(now: Date, platforms: readonly Platform[], limit: number): OutboxMessage[] {
      return due.all({ now: now.toISOString(), platforms: JSON.stringify(platforms), limit }).map(toMessage);
    },
    /**
     * Takes a due message for one sending attempt until `leaseUntil`; false when another worker holds it or it is no
     * longer pending. A lease that runs out (its sender died) lets the message be taken again.
     */
    claim(id: number, now: Date, leaseUntil: Date): boolean {
      return claim.run({ until: leaseUntil.toISOString(), now: now.toISOString(), id }).changes === 1;
    },
    /**
     * Claims several due messages at once, all or none, to be sent as one; `groupId` ties them together for good,
     * so a retry sends the same group under the same key.
     */
    claimGroup(ids: readonly number[], groupId: number, now: Date, leaseUntil: Date): boolean {
      try {
        db.transaction(() => {
          for (const id of ids) {
            if (claim.run({ until: leaseUntil.toISOString(), now: now.toISOString(), id }).changes !== 1) throw new GroupTaken();
            setGroup.run(groupId, id);
          }
        })();
        return true;
      } catch (error) {
        if (error instanceof GroupTaken) return false;
        throw error;
      }
    },
    /** The pending messages of a group, in order. */
    pendingInGroup(groupId: number): OutboxMessage[] {
      return inGroup.all(groupId).map(toMessage);
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
    /** Messages waiting, in every cohort: the outbox depth operators watch. */
    pendingTotal(): number {
      return byStatus.get('pending')?.n ?? 0;
    },
    failedTotal(): number {
      return byStatus.get('failed')?.n ?? 0;
    },
    /** When each cohort's last channel post (not a direct message) was sent. */
    lastChannelPosts(): { cohortId: number; sentAt: Date }[] {
      return lastPosts.all().map((r) => ({ cohortId: r.cohort_id, sentAt: new Date(r.sent_at) }));
    },
    /** Every message of the cohort, oldest first: for operators and tests, not for hot paths. */
    listForCohort(cohortId: number): OutboxMessage[] {
      return allIn.all(cohortId).map(toMessage);
    },
    failedCount(cohortId: number): number {
      return failedCount.get(cohortId)?.n ?? 0;
    },
    /** The cohort's messages that were given up on, newest first. */
    listFailed(cohortId: number, limit: number): OutboxMessage[] {
      return failedIn.all(cohortId, limit).map(toMessage);
    },
    /** Puts every failed message of the cohort back in line, with a fresh day of retries; returns how many. */
    resendFailed(cohortId: number, now: Date): number {
      return resend.run({ now: now.toISOString(), cohort: cohortId }).changes;
    },
  };
}

class GroupTaken extends Error {}

export type OutboxQueries = ReturnType<typeof createOutboxQueries>;
