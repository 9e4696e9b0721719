import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutboxWorker, PermanentDeliveryError, type Delivery } from '../../src/outbox/outbox-worker.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');

async function setup(deliver: (d: Delivery) => Promise<string | undefined>) {
  const env = await testServices(NOW);
  const cohort = berlinCohort(env.store);
  const worker = createOutboxWorker({ store: env.store, clock: env.clock, logger: env.services.logger, deliverers: { console: deliver }, backoffMs: 1000, maxBackoffMs: 4000, retryForMs: 20_000, leaseMs: 30_000 });
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

  it('retries a failed delivery with doubling backoff capped at the maximum, without holding up the next message, and gives up after the retry window', async () => {
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
    // Delays 1 s, 2 s, 4 s, then capped at 4 s: attempts at +1, +3, +7, +11, +15, +19 s; the window is 20 s.
    const attemptsAt = [1000, 3000, 7000, 11_000, 15_000, 19_000];
    for (const [i, ms] of attemptsAt.entries()) {
      clock.set(new Date(NOW.getTime() + ms - 1));
      await worker.drain();
      assert.equal(store.outbox.find(flaky)?.attempts, i + 1, `attempt ${i + 2} waits for its backoff`);
      clock.set(new Date(NOW.getTime() + ms));
      await worker.drain();
      assert.deepEqual([store.outbox.find(flaky)?.status, store.outbox.find(flaky)?.attempts], ['pending', i + 2]);
    }
    clock.set(new Date(NOW.getTime() + 23_000));
    await worker.drain();
    assert.deepEqual([store.outbox.find(flaky)?.status, store.outbox.find(flaky)?.attempts], ['failed', 8], 'given up once the window has passed');
    assert.equal(store.outbox.failedCount(cohort.id), 1);

    // The organiser resends it: a fresh window, and it goes out once the platform answers again.
    assert.equal(store.outbox.resendFailed(cohort.id, clock.now()), 1);
    assert.deepEqual([store.outbox.find(flaky)?.status, store.outbox.find(flaky)?.attempts], ['pending', 0]);
    assert.equal(store.outbox.failedCount(cohort.id), 0);
  });

  it('never lets two workers send one message: each attempt claims it with a lease', async () => {
    const env = await testServices(NOW);
    const cohort = berlinCohort(env.store);
    const sent: string[] = [];
    const slowDeliver = async (d: Delivery) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      sent.push(d.key);
      return 'ok';
    };
    const workers = [1, 2].map(() => createOutboxWorker({ store: env.store, clock: env.clock, logger: env.services.logger, deliverers: { console: slowDeliver } }));
    const ids = [1, 2, 3].map((i) => env.store.outbox.enqueue(cohort.id, 'assignment', { title: `m${i}`, private: false }, NOW));
    await Promise.all(workers.map((w) => w.drain()));
    assert.deepEqual(sent.sort(), ids.map((id) => `outbox-${id}`).sort(), 'each message sent exactly once');
  });

  it('takes up a message whose sender died once its lease runs out, telling the platform an earlier attempt may have gone out', async () => {
    const seen: Delivery[] = [];
    const { store, cohort, worker, clock } = await setup(async (d) => {
      seen.push(d);
      return 'ok';
    });
    const id = store.outbox.enqueue(cohort.id, 'assignment', { title: 'x', private: false }, NOW);
    // A process claimed it and was killed before recording the answer.
    assert.ok(store.outbox.claim(id, NOW, new Date(NOW.getTime() + 30_000)));
    await worker.drain();
    assert.equal(seen.length, 0, 'not sent while the lease holds');
    clock.set(new Date(NOW.getTime() + 30_000));
    await worker.drain();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.earlierAttemptAt?.toISOString(), NOW.toISOString());
    assert.equal(store.outbox.find(id)?.status, 'sent');
  });

  it('names no earlier attempt on a first try', async () => {
    const seen: Delivery[] = [];
    const { store, cohort, worker } = await setup(async (d) => {
      seen.push(d);
      return 'ok';
    });
    store.outbox.enqueue(cohort.id, 'assignment', { title: 'x', private: false }, NOW);
    await worker.drain();
    assert.equal(seen[0]?.earlierAttemptAt, undefined);
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

  describe('bursts of celebrations', () => {
    const combine = (_kind: string, payloads: readonly unknown[]) => ({ title: `${payloads.length} passes`, text: payloads.map((p) => (p as { title: string }).title).join('|'), private: false });
    async function burstSetup(deliver: (d: Delivery) => Promise<string | undefined>) {
      const env = await testServices(NOW);
      const cohort = berlinCohort(env.store);
      const worker = createOutboxWorker({ store: env.store, clock: env.clock, logger: env.services.logger, deliverers: { console: deliver }, backoffMs: 1000, batching: { kinds: ['celebration'], combine } });
      return { ...env, cohort, worker };
    }

    it('sends celebrations due together in one channel as one message; direct messages and other kinds go alone', async () => {
      const seen: Delivery[] = [];
      const { store, cohort, worker } = await burstSetup(async (d) => {
        seen.push(d);
        return `m${seen.length}`;
      });
      const ids = ['a', 'b', 'c'].map((t) => store.outbox.enqueue(cohort.id, 'celebration', { title: t, private: false }, NOW));
      const post = store.outbox.enqueue(cohort.id, 'assignment', { title: 'module', private: false }, NOW);
      const dm = store.outbox.enqueue(cohort.id, 'celebration', { title: 'private', private: false }, NOW, 'u-ada');
      await worker.drain();
      assert.deepEqual(seen.map((d) => [d.key, (d.payload as { title: string }).title]), [
        [`outbox-${ids[0]}`, '3 passes'],
        [`outbox-${post}`, 'module'],
        [`outbox-${dm}`, 'private'],
      ]);
      assert.equal((seen[0]?.payload as { text: string }).text, 'a|b|c', 'oldest first');
      assert.deepEqual(ids.map((id) => [store.outbox.find(id)?.status, store.outbox.find(id)?.platformMessageId]), [['sent', 'm1'], ['sent', 'm1'], ['sent', 'm1']]);
    });

    it('retries a group as the same group under the same key, while newer celebrations form their own', async () => {
      const seen: Delivery[] = [];
      let down = true;
      const { store, cohort, worker, clock } = await burstSetup(async (d) => {
        seen.push(d);
        if (down) throw new Error('503 Service Unavailable');
        return 'ok';
      });
      const first = ['a', 'b'].map((t) => store.outbox.enqueue(cohort.id, 'celebration', { title: t, private: false }, NOW));
      await worker.drain();
      const later = ['c', 'd'].map((t) => store.outbox.enqueue(cohort.id, 'celebration', { title: t, private: false }, NOW));
      down = false;
      clock.set(new Date(NOW.getTime() + 1000));
      await worker.drain();
      const retried = seen.slice(1).map((d) => [d.key, (d.payload as { text: string }).text, d.earlierAttemptAt?.toISOString() ?? null]);
      assert.deepEqual(retried.sort((x, y) => String(x[0]).localeCompare(String(y[0]))), [
        [`outbox-${first[0]}`, 'a|b', NOW.toISOString()],
        [`outbox-${later[0]}`, 'c|d', null],
      ]);
      assert.ok([...first, ...later].every((id) => store.outbox.find(id)?.status === 'sent'));
    });

    it('never folds a message tried alone into a group: a resend under its key could then stand for others', async () => {
      const seen: Delivery[] = [];
      const { store, cohort, worker, clock } = await burstSetup(async (d) => {
        seen.push(d);
        return 'ok';
      });
      const alone = store.outbox.enqueue(cohort.id, 'celebration', { title: 'alone', private: false }, NOW);
      assert.ok(store.outbox.claim(alone, NOW, new Date(NOW.getTime() + 1000)), 'a process tried it and died');
      const fresh = ['x', 'y'].map((t) => store.outbox.enqueue(cohort.id, 'celebration', { title: t, private: false }, NOW));
      clock.set(new Date(NOW.getTime() + 1000));
      await worker.drain();
      assert.deepEqual(seen.map((d) => [d.key, (d.payload as { title: string }).title]), [
        [`outbox-${alone}`, 'alone'],
        [`outbox-${fresh[0]}`, '2 passes'],
      ]);
    });
  });
});
