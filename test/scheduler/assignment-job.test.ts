import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignmentReply } from '../../src/chat/views/assignment.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

// The Berlin fixture cohort posts Mondays 09:00 local (08:00Z in winter): module 01 on 2026-12-07, module 02 on 12-21.
async function setup(now: Date) {
  const env = await testServices(now);
  const cohort = berlinCohort(env.store);
  let woken = 0;
  const scheduler = createScheduler({
    store: env.store,
    course: env.services.course,
    clock: env.clock,
    logger: env.services.logger,
    render: (window, c) => assignmentReply(window, c, env.services.links),
    onPosted: () => (woken += 1),
  });
  const posts = () => env.store.outbox.due(new Date('2100-01-01T00:00:00Z'), ['console'], 100);
  return { ...env, cohort, scheduler, posts, woken: () => woken };
}

describe('assignment posts', () => {
  it('posts the module at its local post time, once, however often the job runs', async () => {
    const { scheduler, clock, posts, woken } = await setup(new Date('2026-12-07T07:59:00Z'));
    assert.equal(scheduler.tick(), 0);
    clock.set(new Date('2026-12-07T08:00:00Z'));
    assert.equal(scheduler.tick(), 1);
    assert.equal(scheduler.tick(), 0);
    assert.deepEqual(posts().map((m) => [m.kind, (m.payload as { title: string }).title]), [['assignment', 'Module 01 · Core Rust Fluency starts now']]);
    assert.equal(woken(), 1);
  });

  it('after downtime posts the current module only, and a restarted scheduler posts nothing again', async () => {
    const env = await setup(new Date('2026-12-22T10:00:00Z'));
    assert.equal(env.scheduler.tick(), 1);
    assert.deepEqual(env.posts().map((m) => (m.payload as { title: string }).title), ['Module 02 · Async and Networking with Tokio starts now']);
    assert.deepEqual([...env.store.posts.claimedPeriods(env.cohort.id, 'assignment')].sort(), ['module-01', 'module-02']);
    assert.equal(env.scheduler.tick(), 0);
  });

  it('does not post for a paused cohort, and posts the current module when it resumes', async () => {
    const env = await setup(new Date('2026-12-07T09:00:00Z'));
    env.store.cohorts.setStatus(env.cohort.id, 'paused');
    assert.equal(env.scheduler.tick(), 0);
    env.store.cohorts.setStatus(env.cohort.id, 'active');
    assert.equal(env.scheduler.tick(), 1);
  });

  it('does not post again a module an organiser already posted with /cohort post-now', async () => {
    const env = await setup(new Date('2026-12-05T12:00:00Z'));
    const reply = await env.registry.execute(invocation('cohort', 'post-now', { user: { id: 'u-org', displayName: 'Org', isOrganiser: true } }), env.services);
    assert.match(reply.title ?? '', /Posting Module 01/);
    env.clock.set(new Date('2026-12-07T08:00:00Z'));
    assert.equal(env.scheduler.tick(), 0);
    assert.equal(env.posts().length, 1);
  });

  it('starts with a catch-up round and stops cleanly', async () => {
    const env = await setup(new Date('2026-12-08T12:00:00Z'));
    env.scheduler.start();
    env.scheduler.stop();
    assert.equal(env.posts().length, 1);
  });
});
