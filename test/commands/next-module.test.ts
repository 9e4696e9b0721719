import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { berlinCohort, pass } from '../helpers/cohort-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

const DURING_MODULE_1 = new Date('2026-12-10T12:00:00Z');

async function setup(now: Date, joined = true) {
  const env = await testServices(now);
  const cohort = berlinCohort(env.store);
  const learner = joined ? env.store.learners.join(cohort.id, 'u-ada', 'Ada', now).learner : undefined;
  const ask = () => env.registry.execute(invocation('next-module'), env.services);
  return { ...env, cohort, learner, ask };
}

function field(reply: { fields?: { name: string; value: string }[] }, name: string): string {
  const found = reply.fields?.find((f) => f.name === name);
  assert.ok(found, `reply has a "${name}" field; it has ${reply.fields?.map((f) => f.name).join(', ')}`);
  return found.value;
}

describe('/next-module', () => {
  it('GIVEN a learner in week 1 THEN shows module 01, its lectures as links and unfinished exercises with the due date', async () => {
    const { ask } = await setup(DURING_MODULE_1);
    const reply = await ask();
    const module1 = realCourse().modules[0];
    assert.ok(module1);
    assert.equal(reply.title, 'Next: Module 01 · Core Rust Fluency');
    assert.equal(reply.private, true);
    assert.deepEqual(
      reply.links?.map((l) => l.url),
      [
        ...module1.lectures.map((l) => `https://example.test/content/${l.contentPath}`),
        ...module1.exercises.map((e) => `https://example.test/content/modules/module-01-core-rust/exercises/${e.id}/README.md`),
        'https://example.test/content/modules/module-01-core-rust/README.md',
      ],
    );
    assert.match(field(reply, 'Your exercises'), /⬜ .*ex01-lru-cache.*\n⬜ .*ex02-config-cli/);
    assert.equal(field(reply, 'Progress'), '▱▱ 0/2');
    assert.equal(field(reply, 'Due'), 'Mon 21 Dec 2026, 09:00 GMT+1');
  });

  it('GIVEN one exercise passed THEN marks it done and counts it', async () => {
    const { ask, store, learner } = await setup(DURING_MODULE_1);
    pass(store, learner!.id, ['ex01-lru-cache'], DURING_MODULE_1);
    const reply = await ask();
    assert.match(field(reply, 'Your exercises'), /✅ .*ex01-lru-cache.*\n⬜ .*ex02-config-cli/);
    assert.equal(field(reply, 'Progress'), '▰▱ 1/2');
  });

  it('GIVEN module 01 unfinished after module 02 is out THEN still points at module 01, marked overdue', async () => {
    const { ask } = await setup(new Date('2026-12-28T12:00:00Z'));
    const reply = await ask();
    assert.equal(reply.title, 'Next: Module 01 · Core Rust Fluency');
    assert.equal(reply.tone, 'warning');
    assert.equal(field(reply, 'Was due'), 'Mon 21 Dec 2026, 09:00 GMT+1');
    assert.match(reply.footer ?? '', /past its due date/);
  });

  it('GIVEN module 01 done and module 02 released THEN moves on to module 02', async () => {
    const { ask, store, learner } = await setup(new Date('2026-12-22T12:00:00Z'));
    pass(store, learner!.id, ['ex01-lru-cache', 'ex02-config-cli'], DURING_MODULE_1);
    assert.equal((await ask()).title, 'Next: Module 02 · Async and Networking with Tokio');
  });

  it('GIVEN everything released is done THEN says they are ahead and when the next module comes', async () => {
    const { ask, store, learner } = await setup(DURING_MODULE_1);
    pass(store, learner!.id, ['ex01-lru-cache', 'ex02-config-cli'], DURING_MODULE_1);
    const reply = await ask();
    assert.equal(reply.title, 'You are ahead of the schedule');
    assert.match(reply.text ?? '', /Module 02 · Async and Networking with Tokio is released Mon 21 Dec 2026, 09:00 GMT\+1/);
  });

  it('GIVEN the cohort has not started THEN says so and shows module 01 to read ahead', async () => {
    const { ask } = await setup(new Date('2026-12-07T07:59:00Z'));
    const reply = await ask();
    assert.equal(reply.title, 'The cohort starts soon');
    assert.match(reply.text ?? '', /Module 01 · Core Rust Fluency is released Mon 7 Dec 2026, 09:00 GMT\+1/);
  });

  it('GIVEN every exercise of the course passed THEN congratulates', async () => {
    const { ask, store, learner } = await setup(new Date('2027-07-01T00:00:00Z'));
    const all = realCourse().modules.flatMap((m) => m.exercises.map((e) => e.id));
    pass(store, learner!.id, all, DURING_MODULE_1);
    const reply = await ask();
    assert.equal(reply.title, 'You finished the course!');
    assert.match(reply.text ?? '', new RegExp(`All ${all.length} exercises are done`));
  });

  it('GIVEN someone who has not joined THEN shows what the cohort is on and how to join', async () => {
    const { ask } = await setup(new Date('2026-12-22T12:00:00Z'), false);
    const reply = await ask();
    assert.equal(reply.title, 'Winter cohort is on Module 02 · Async and Networking with Tokio');
    assert.match(reply.text ?? '', /type \/join/);
    const module2 = realCourse().modules[1];
    assert.equal(reply.links?.length, (module2?.lectures.length ?? 0) + (module2?.exercises.length ?? 0) + 1);
  });

  it('GIVEN a channel without a cohort THEN explains there is none', async () => {
    const env = await testServices(DURING_MODULE_1);
    const reply = await env.registry.execute(invocation('next-module'), env.services);
    assert.equal(reply.tone, 'error');
    assert.match(reply.text ?? '', /There is no cohort in this channel/);
  });
});
