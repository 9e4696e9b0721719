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
  maxAttempts?: number;
  backoffMs?: number;
}

export interface OutboxWorker {
  /** Asks for a delivery round soon; cheap to call after every enqueue. */
  wake(): void;
  /** Delivers everything due now, and resolves when done. */
  drain(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Delivers the outbox: stored first, sent after, marked sent once the platform accepted it. A failure is retried
 * with exponential backoff and never blocks the other messages; after `maxAttempts` it is marked failed.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, clock, logger, deliverers } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffMs = options.backoffMs ?? 2000;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function deliverOne(message: ReturnType<Store['outbox']['due']>[number]): Promise<void> {
    const deliver = deliverers[message.platform];
    if (!deliver) return;
    const log = logger.child({ outbox: message.id, cohort: message.cohortId, kind: message.kind });
    try {
      const platformMessageId = await deliver({
        channelId: message.channelId,
        payload: message.payload,
        key: `outbox-${message.id}`,
        ...(message.recipientUserId ? { recipientUserId: message.recipientUserId } : {}),
      });
      store.outbox.markSent(message.id, platformMessageId, clock.now());
      log.info('outbox message delivered');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = message.attempts + 1;
      if (error instanceof PermanentDeliveryError || attempts >= maxAttempts) {
        store.outbox.markFailed(message.id, reason);
        log.error({ err: error, attempts }, 'outbox message failed for good');
      } else {
        const next = new Date(clock.now().getTime() + backoffMs * 2 ** (attempts - 1));
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
