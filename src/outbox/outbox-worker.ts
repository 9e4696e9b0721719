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

  async function deliverOne(message: ReturnType<Store['outbox']['due']>[number]): Promise<void> {
    const deliver = deliverers[message.platform];
    if (!deliver) return;
    const now = clock.now();
    if (!store.outbox.claim(message.id, now, new Date(now.getTime() + leaseMs))) return;
    const log = logger.child({ outbox: message.id, cohort: message.cohortId, kind: message.kind });
    try {
      const platformMessageId = await deliver({
        channelId: message.channelId,
        payload: message.payload,
        key: `outbox-${message.id}`,
        ...(message.recipientUserId ? { recipientUserId: message.recipientUserId } : {}),
        ...(message.firstAttemptAt ? { earlierAttemptAt: message.firstAttemptAt } : {}),
      });
      store.outbox.markSent(message.id, platformMessageId, clock.now());
      log.info('outbox message delivered');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = message.attempts + 1;
      const at = clock.now();
      if (error instanceof PermanentDeliveryError || at.getTime() - message.retrySince.getTime() >= retryForMs) {
        store.outbox.markFailed(message.id, reason);
        log.error({ err: error, attempts }, 'outbox message failed for good');
      } else {
        const next = new Date(at.getTime() + Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(attempts - 1, 30)));
        store.outbox.markRetry(message.id, reason, next);
        log.warn({ err: error, attempts, next }, 'outbox message will be retried');
      }
    }
  }

  async function deliverDue(): Promise<void> {
    for (;;) {
      // Read each round: adapters register their deliverer once they are connected.
      const batch = store.outbox.due(clock.now(), Object.keys(deliverers) as Platform[], 20);
      if (batch.length === 0) return;
      for (const message of batch) await deliverOne(message);
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

