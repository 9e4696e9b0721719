import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BudgetExhaustedError, RateBudget } from '../../src/github/rate-budget.ts';
import { createLogger } from '../../src/logger.ts';

const headers = (remaining: number, resetAtMs: number, limit = 100) => ({
  'x-ratelimit-resource': 'graphql',
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': String(resetAtMs / 1000),
});

function budget(share: number) {
  let now = 1_000_000_000_000;
  const slept: number[] = [];
  const rate = new RateBudget({
    share,
    logger: createLogger('silent'),
    now: () => now,
    // Time moves at once, but the event loop still turns, as it would while really sleeping.
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  });
  return { rate, slept, now: () => now };
}

describe('the rate budget', () => {
  it('lets requests through until the share of the limit is spent, then waits for the reset', async () => {
    const { rate, slept, now } = budget(0.5);
    const resetAt = now() + 600_000;
    await rate.reserve('graphql', 1);
    rate.observe(headers(80, resetAt));
    rate.release('graphql', 1);
    // 20 of the allowed 50 spent: 30 more fit, 31 do not.
    await rate.reserve('graphql', 30);
    rate.release('graphql', 30);
    rate.observe(headers(50, resetAt));
    assert.deepEqual(slept, []);
    await rate.reserve('graphql', 1);
    assert.equal(slept.length, 1);
    assert.ok(slept[0]! >= 600_000, 'slept until the reset');
    assert.equal(rate.waits, 1);
  });

  it('counts points held by requests in flight, so parallel requests cannot overshoot together', async () => {
    const { rate, slept, now } = budget(1);
    await rate.reserve('graphql', 1);
    rate.observe(headers(10, now() + 60_000, 10));
    rate.release('graphql', 1);
    await rate.reserve('graphql', 6);
    let second = false;
    const pending = rate.reserve('graphql', 6).then(() => (second = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(second, false, 'the second waits while the first holds its points');
    rate.observe(headers(4, now() + 60_000, 10));
    rate.release('graphql', 6);
    await pending;
    assert.ok(slept.some((ms) => ms >= 60_000), 'and then for the reset, since only 4 remain');
  });

  it('fails at once instead of waiting when asked not to wait', async () => {
    const { rate, now } = budget(0.5);
    const resetAt = now() + 600_000;
    await rate.reserve('graphql', 1);
    rate.observe(headers(50, resetAt));
    rate.release('graphql', 1);
    await assert.rejects(rate.reserve('graphql', 1, { wait: false }), (error: unknown) => {
      assert.ok(error instanceof BudgetExhaustedError);
      assert.equal(error.resetAt.getTime(), resetAt);
      return true;
    });
  });

  it('ignores answers without rate-limit headers and keeps resources apart', async () => {
    const { rate, now } = budget(0.5);
    rate.observe({});
    rate.observe({ ...headers(0, now() + 1000), 'x-ratelimit-resource': 'core' });
    assert.equal(rate.remaining('core'), 0);
    assert.equal(rate.remaining('graphql'), undefined);
  });
});
