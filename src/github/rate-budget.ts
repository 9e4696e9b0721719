import type { Logger } from '../logger.ts';

export type RateResource = 'core' | 'graphql';

/** The share is spent and the caller asked not to wait (a learner is waiting for an answer). */
export class BudgetExhaustedError extends Error {
  constructor(readonly resetAt: Date) {
    super(`GitHub sync budget used up until ${resetAt.toISOString()}`);
    this.name = 'BudgetExhaustedError';
  }
}

interface Window {
  limit: number;
  remaining: number;
  /** Epoch ms. */
  resetAt: number;
  /** Points reserved by requests still in flight. */
  reserved: number;
}

export interface RateBudgetOptions {
  /** The part of each hour's rate limit syncing may spend, 0–1; the rest is left for everything else on the token. */
  share: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told what GitHub says is left of a resource, for operators' metrics. */
  onObserved?(resource: RateResource, remaining: number): void;
}

/**
 * Keeps syncing inside a share of GitHub's hourly budget. It learns limit, remaining and reset from the
 * `x-ratelimit-*` headers of every answer; a request that would cross the share waits for the reset.
 */
export class RateBudget {
  private readonly windows = new Map<RateResource, Window>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Times a request waited for a reset; reported by syncs and benchmarks. */
  waits = 0;

  constructor(private readonly options: RateBudgetOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Reads the rate-limit headers of an answer (success or error). */
  observe(headers: Record<string, string | number | undefined> | undefined): void {
    const resource = headers?.['x-ratelimit-resource'];
    if (resource !== 'core' && resource !== 'graphql') return;
    const limit = Number(headers?.['x-ratelimit-limit']);
    const remaining = Number(headers?.['x-ratelimit-remaining']);
    const reset = Number(headers?.['x-ratelimit-reset']);
    if (![limit, remaining, reset].every(Number.isFinite)) return;
    this.options.onObserved?.(resource, remaining);
    const known = this.windows.get(resource);
    const resetAt = reset * 1000;
    // Answers arrive out of order; within one window the lowest remaining is the truth.
    const sameWindow = known !== undefined && Math.abs(known.resetAt - resetAt) < 2000;
    this.windows.set(resource, {
      limit,
      remaining: sameWindow ? Math.min(known.remaining, remaining) : remaining,
      resetAt,
      reserved: known?.reserved ?? 0,
    });
  }

  /**
   * Waits until `cost` points fit in the share, then holds them until `release`. With `wait: false` it throws
   * BudgetExhaustedError instead of waiting for a reset.
   */
  async reserve(resource: RateResource, cost: number, options: { wait?: boolean } = {}): Promise<void> {
    for (;;) {
      const window = this.windows.get(resource);
      if (!window) {
        // Nothing known yet: the first answer will tell. Hold the points so parallel first requests still count.
        this.windows.set(resource, { limit: Infinity, remaining: Infinity, resetAt: 0, reserved: cost });
        return;
      }
      if (window.resetAt > 0 && this.now() >= window.resetAt) Object.assign(window, { remaining: window.limit });
      const allowed = Math.floor(window.limit * this.options.share);
      const spent = window.limit - window.remaining;
      if (spent + window.reserved + cost <= allowed || !Number.isFinite(window.limit)) {
        window.reserved += cost;
        return;
      }
      if (window.reserved > 0) {
        // Others are in flight: their answers will update the figures.
        await this.sleep(50);
        continue;
      }
      if (options.wait === false) throw new BudgetExhaustedError(new Date(window.resetAt));
      const wait = Math.max(window.resetAt - this.now(), 0) + 1000;
      this.waits += 1;
      this.options.logger.warn(
        { resource, spent, allowed, resetAt: new Date(window.resetAt).toISOString() },
        'GitHub sync used its share of the rate limit: waiting for the reset',
      );
      await this.sleep(wait);
      Object.assign(window, { remaining: window.limit });
    }
  }

  release(resource: RateResource, cost: number): void {
    const window = this.windows.get(resource);
    if (window) window.reserved = Math.max(0, window.reserved - cost);
  }

  /** Remaining points in the share for `resource`, for logs. */
  remaining(resource: RateResource): number | undefined {
    const window = this.windows.get(resource);
    return window && Number.isFinite(window.limit) ? Math.max(0, Math.floor(window.limit * this.options.share) - (window.limit - window.remaining)) : undefined;
  }
}
