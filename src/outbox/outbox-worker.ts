import type { Telemetry } from '../telemetry.ts';
import type { Clock } from '../core/clock.ts';
import type { Platform } from '../core/cohort.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

/** One message for one channel; `key` is stable per outbox row, for platforms that can deduplicate (Discord's nonce). */
export interface Delivery {
  channelId: string;
  payload: unknown;
  key: string;
  /** A direct message to this platform user instead of a post in the channel. */
  recipientUserId?: string;
  /**
   * Set when an earlier attempt of this message started at this time and its outcome is unknown (the process
   * stopped before recording it): it may already be on the platform. Platforms without an idempotency key look
   * for it before posting again.
   */
  earlierAttemptAt?: Date;
  /**
   * The platform message this one replaces: edit it in place; if it is gone (deleted), post anew. Either way the
   * id returned is the message now showing it.
   */
  editOf?: string;
}

/** Sends one message and returns the platform's message id. Rate limits are the platform client's job. */
export type Deliver = (delivery: Delivery) => Promise<string | undefined>;

/** The platform said retrying will not help: unknown channel, missing access, a payload it refuses. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

export interface OutboxWorkerOptions {
  /** Counts sends, retries and messages given up on. */
  telemetry?: Telemetry;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** One per platform this process serves; messages for other platforms wait for a process that serves them. */
  deliverers: Partial<Record<Platform, Deliver>>;
  pollMs?: number;
  /** The first retry's delay; each next one doubles, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long a message is retried before it is marked failed (an organiser can resend it). */
  retryForMs?: number;
  /** How long one sending attempt holds a message; a sender that died frees it after this. */
  leaseMs?: number;
  /** Channel messages of these kinds due together in one channel go out as one (a burst of celebrations). */
  batching?: OutboxBatching;
}

export interface OutboxBatching {
  kinds: readonly string[];
  /** One message standing for several of one kind, oldest first; given by the composition root (chat views). */
  combine(kind: string, payloads: readonly unknown[]): unknown;
  /** At most this many in one message. */
  max?: number;
}

export interface OutboxWorker {
  /** Asks for a delivery round soon; cheap to call after every enqueue. */
  wake(): void;
  /** Delivers everything due now, and resolves when done. */
  drain(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export const OUTBOX_DEFAULTS = { backoffMs: 2000, maxBackoffMs: 5 * 60_000, retryForMs: 24 * 3600_000, leaseMs: 60_000 } as const;

/**
 * Delivers the outbox: stored first, sent after, marked sent once the platform accepted it. Each attempt claims
 * the message with a lease, so two workers never send one message. A failure is retried with backoff (doubling,
 * capped at 5 minutes) for a day, so an outage of hours loses nothing, and never blocks the other messages; only
 * the platform's permanent refusals fail at once.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, clock, logger, deliverers } = options;
  const backoffMs = options.backoffMs ?? OUTBOX_DEFAULTS.backoffMs;
  const maxBackoffMs = options.maxBackoffMs ?? OUTBOX_DEFAULTS.maxBackoffMs;
  const retryForMs = options.retryForMs ?? OUTBOX_DEFAULTS.retryForMs;
  const leaseMs = options.leaseMs ?? OUTBOX_DEFAULTS.leaseMs;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  type Message = ReturnType<Store['outbox']['due']>[number];

  /** Sends one message, or a group as one message under the key of its first; all of them share the outcome. */
  async function deliverGroup(members: readonly Message[], groupId: number | null): Promise<void> {
    const [lead] = members;
    if (!lead) return;
    const deliver = deliverers[lead.platform];
    if (!deliver) return;
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed = groupId === null ? store.outbox.claim(lead.id, now, leaseUntil) : store.outbox.claimGroup(members.map((m) => m.id), groupId, now, leaseUntil);
    if (!claimed) return;
    const ids = members.map((m) => m.id);
    const log = logger.child({ outbox: ids.length === 1 ? lead.id : ids, cohort: lead.cohortId, kind: lead.kind });
    const payload = members.length === 1 || !options.batching ? lead.payload : options.batching.combine(lead.kind, members.map((m) => m.payload));
    const each = (mark: (id: number) => void) => store.transaction(() => ids.forEach(mark));
    try {
      const platformMessageId = await deliver({
        channelId: lead.channelId,
        payload,
        key: `outbox-${lead.id}`,
        ...(lead.recipientUserId ? { recipientUserId: lead.recipientUserId } : {}),
        ...(lead.firstAttemptAt ? { earlierAttemptAt: lead.firstAttemptAt } : {}),
        ...(lead.editOf ? { editOf: lead.editOf } : {}),
      });
      each((id) => store.outbox.markSent(id, platformMessageId, clock.now()));
      options.telemetry?.delivery('sent', lead.kind);
      log.info('outbox message delivered');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = lead.attempts + 1;
      const at = clock.now();
      if (error instanceof PermanentDeliveryError || at.getTime() - lead.retrySince.getTime() >= retryForMs) {
        each((id) => store.outbox.markFailed(id, reason));
        options.telemetry?.delivery('failed', lead.kind);
        log.error({ err: error, attempts }, 'outbox message failed for good');
      } else {
        const next = new Date(at.getTime() + Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(attempts - 1, 30)));
        each((id) => store.outbox.markRetry(id, reason, next));
        options.telemetry?.delivery('retry', lead.kind);
        log.warn({ err: error, attempts, next }, 'outbox message will be retried');
      }
    }
  }

  /**
   * Messages of a batchable kind for the same channel, never tried before, form a new group; a group formed
   * earlier is sent again as it was; anything else goes alone. A message tried alone stays alone, so a resend
   * under its key can never stand for messages it did not contain.
   */
  function plan(batch: readonly Message[]): { members: Message[]; groupId: number | null }[] {
    const batching = options.batching;
    const taken = new Set<number>();
    const sends: { members: Message[]; groupId: number | null }[] = [];
    const groupable = (m: Message) => batching !== undefined && batching.kinds.includes(m.kind) && !m.recipientUserId && m.firstAttemptAt === null && m.groupId === null;
    for (const message of batch) {
      if (taken.has(message.id)) continue;
      let members = [message];
      let groupId: number | null = null;
      if (message.groupId !== null) {
        members = store.outbox.pendingInGroup(message.groupId);
        groupId = message.groupId;
      } else if (groupable(message)) {
        members = batch.filter((m) => !taken.has(m.id) && groupable(m) && m.cohortId === message.cohortId && m.kind === message.kind).slice(0, batching?.max ?? 20);
        if (members.length > 1) groupId = message.id;
      }
      for (const m of members) taken.add(m.id);
      sends.push({ members, groupId });
    }
    return sends;
  }

  async function deliverDue(): Promise<void> {
    for (;;) {
      // Read each round: adapters register their deliverer once they are connected.
      const batch = store.outbox.due(clock.now(), Object.keys(deliverers) as Platform[], 50);
      if (batch.length === 0) return;
      for (const send of plan(batch)) await deliverGroup(send.members, send.groupId);
    }
  }

  function wake(): void {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await deliverDue();
      } while (again);
    })()
      .catch((error: unknown) => logger.error({ err: error }, 'outbox round failed'))
      .finally(() => {
        running = undefined;
      });
  }

  return {
    wake,
    async drain() {
      wake();
      while (running) await running;
    },
    start() {
      timer = setInterval(wake, options.pollMs ?? 5000);
      timer.unref();
      wake();
    },
    async stop() {
      clearInterval(timer);
      while (running) await running;
    },
  };
}

