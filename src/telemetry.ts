/**
 * What the bot tells its operators about itself, as events: the core and the adapters report here and know nothing
 * of the metrics format (adapters/web/metrics.ts turns these into Prometheus metrics).
 */
export interface Telemetry {
  /** A command (or button click) was answered, refused with a clear error, or failed on our side. */
  command(event: { command: string; platform: string; outcome: 'answered' | 'refused' | 'failed'; seconds: number }): void;
  /** Something went wrong that an operator may want to count, by kind (e.g. `command`, `sync`, `delivery`). */
  error(kind: string): void;
  /** An outbox message was sent, will be retried, or was given up on. */
  delivery(outcome: 'sent' | 'retry' | 'failed', kind: string): void;
  /** A GitHub webhook delivery was accepted (stored) or refused (bad signature, malformed, unwanted). */
  webhook(outcome: 'accepted' | 'refused'): void;
  /** A sync finished: how many learners it looked at and how many of them failed. */
  sync(event: { trigger: string; learners: number; failures: number }): void;
  /** GitHub said how much of a rate-limit resource is left. */
  githubRateLimit(resource: string, remaining: number): void;
}

export const NO_TELEMETRY: Telemetry = {
  command: () => {},
  error: () => {},
  delivery: () => {},
  webhook: () => {},
  sync: () => {},
  githubRateLimit: () => {},
};
