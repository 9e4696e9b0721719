import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutboxWorker, PermanentDeliveryError, type Delivery } from '../../src/outbox/outbox-worker.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');

async function setup(deliver: (d: Delivery) => Promise<string | undefined>) {
  const env = await testServices(NOW);
  const cohort = berlinCohort(env.store);
  const worker = createOutboxWorker({ store: env.store, clock: env.clock, logger: env.services.logger, deliverers: { console: deliver }, backoffMs: 1000, maxAttempts: 3 });
  return { ...env, cohort, worker };
}

describe('outbox worker', () => {
  it('delivers pending messages oldest first, once, and records the platform message id', async () => {
    const seen: Delivery[] = [];
    const { store, cohort, worker } = await setup(async (d) => {
      seen.push(d);
      return `msg-${seen.length}`;
    });
    const a = store.outbox.enqueue(cohort.id, 'assignment', { title: 'A', private: false }, NOW);
    const b = store.outbox.enqueue(cohort.id, 'celebration', { title: 'B', private: false }, NOW);
    await worker.drain();
    await worker.drain();
    assert.deepEqual(seen.map((d) => [d.channelId, (d.payload as { title: string }).title, d.key]), [
      ['terminal', 'A', `outbox-${a}`],
      ['terminal', 'B', `outbox-${b}`],
    ]);
    assert.equal(store.outbox.find(a)?.status, 'sent');
    assert.equal(store.outbox.find(b)?.platformMessageId, 'msg-2');
    assert.equal(store.outbox.pendingCount(cohort.id), 0);
  });

  it('retries a failed delivery later with backoff, without holding up the next message, and gives up after the last attempt', async () => {
    const { store, cohort, worker, clock } = await setup(async (d) => {
      if ((d.payload as { title: string }).title === 'flaky') throw new Error('socket hang up');
      return 'ok';
    });
    const flaky = store.outbox.enqueue(cohort.id, 'assignment', { title: 'flaky', private: false }, NOW);
    const fine = store.outbox.enqueue(cohort.id, 'assignment', { title: 'fine', private: false }, NOW);
    await worker.drain();
    assert.equal(store.outbox.find(fine)?.status, 'sent');
    assert.deepEqual([store.outbox.find(flaky)?.status, store.outbox.find(flaky)?.attempts, store.outbox.find(flaky)?.lastError], ['pending', 1, 'socket hang up']);

    await worker.drain();
    assert.equal(store.outbox.find(flaky)?.attempts, 1, 'not retried before its backoff');
    clock.set(new Date(NOW.getTime() + 1000));
    await worker.drain();
    assert.equal(store.outbox.find(flaky)?.attempts, 2);
    clock.set(new Date(NOW.getTime() + 1000 + 2000));
    await worker.drain();
    assert.deepEqual([store.outbox.find(flaky)?.status, store.outbox.find(flaky)?.attempts], ['failed', 3]);
  });

  it('fails a message at once when the platform says retrying cannot help', async () => {
    const { store, cohort, worker } = await setup(async () => {
      throw new PermanentDeliveryError('Unknown Channel');
    });
    const id = store.outbox.enqueue(cohort.id, 'assignment', { title: 'x', private: false }, NOW);
    await worker.drain();
    assert.deepEqual([store.outbox.find(id)?.status, store.outbox.find(id)?.attempts], ['failed', 1]);
  });

  it('leaves messages for a platform this process does not serve', async () => {
    const env = await testServices(NOW);
    const cohort = berlinCohort(env.store);
    const worker = createOutboxWorker({ store: env.store, clock: env.clock, logger: env.services.logger, deliverers: { discord: async () => 'x' } });
    const id = env.store.outbox.enqueue(cohort.id, 'assignment', { title: 'x', private: false }, NOW);
    await worker.drain();
    assert.equal(env.store.outbox.find(id)?.status, 'pending');
  });

  it('delivers a message enqueued while a round is running', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const delivered: string[] = [];
    const { store, cohort, worker } = await setup(async (d) => {
      const title = (d.payload as { title: string }).title;
      if (title === 'first') await gate;
      delivered.push(title);
      return undefined;
    });
    store.outbox.enqueue(cohort.id, 'assignment', { title: 'first', private: false }, NOW);
    worker.wake();
    store.outbox.enqueue(cohort.id, 'assignment', { title: 'second', private: false }, NOW);
    worker.wake();
    release();
    await worker.drain();
    assert.deepEqual(delivered, ['first', 'second']);
  });
});
