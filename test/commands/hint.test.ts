import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

// Winter cohort (Berlin, from Mon 7 Dec 2026): on 15 Dec module 01 is open, module 03 is not.
const NOW = new Date('2026-12-15T12:00:00Z');
const lru = realCourse().modules[0]!.exercises[0]!;
const bitcask = realCourse().modules[2]!.exercises[0]!;
const ORGANISER = { user: { id: 'u-olga', displayName: 'Olga', isOrganiser: true } };

async function joined() {
  const env = await testServices(NOW);
  const cohort = berlinCohort(env.store);
  const { learner } = env.store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
  return { ...env, cohort, learner };
}

describe('/hint', () => {
  it('reveals the three hints in order, privately, remembering how far each learner got', async () => {
    const { registry, services, store } = await joined();
    const hints = lru.hints ?? [];
    assert.equal(hints.length, 3);
    const first = await registry.execute(invocation('hint', lru.id), services);
    assert.equal(first.title, `Hint 1 of 3 · ${lru.title}`);
    assert.equal(first.text, hints[0]);
    assert.equal(first.private, true);
    assert.match(first.footer ?? '', new RegExp(`/hint ${lru.id} again shows the next, more detailed one`));

    // Someone else starts from the first hint.
    store.learners.join(store.cohorts.listActive()[0]!.id, 'u-bob', 'Bob', NOW);
    const bobs = await registry.execute(invocation('hint', 'lru cache', { user: { id: 'u-bob', displayName: 'Bob' } }), services);
    assert.equal(bobs.text, hints[0], 'title words find the exercise too');

    assert.equal((await registry.execute(invocation('hint', lru.id), services)).text, hints[1]);
    const third = await registry.execute(invocation('hint', lru.id), services);
    assert.equal(third.title, `Hint 3 of 3 · ${lru.title}`);
    assert.equal(third.text, hints[2]);
    assert.match(third.footer ?? '', /That was the last hint/);

    const again = await registry.execute(invocation('hint', lru.id), services);
    assert.equal(again.title, `All 3 hints · ${lru.title}`);
    assert.deepEqual(again.fields?.map((f) => f.value), hints);
  });

  it('keeps the hints of a module closed until it is released, and says when it opens', async () => {
    const { registry, services } = await joined();
    const reply = await registry.execute(invocation('hint', bitcask.id), services);
    assert.equal(reply.private, true);
    assert.match(reply.text ?? '', new RegExp(`Hints for ${bitcask.title} open with Module 03 · .* on Mon \\d+ \\w+ 2027, 09:00`));
    assert.doesNotMatch(JSON.stringify(reply), new RegExp((bitcask.hints?.[0] ?? 'x').slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('shows the failing tests of the exercise beside the hint, and asks non-learners to join', async () => {
    const { registry, services, store, learner } = await joined();
    store.results.record({ learnerId: learner.id, exerciseId: lru.id, status: 'failed', commit: 'c1', detail: null, runId: 5, failingTests: { names: ['lru::get_promotes_entry'], more: 0 } }, NOW);
    const reply = await registry.execute(invocation('hint', lru.id), services);
    assert.match(reply.footer ?? '', /^Your latest run: failing: `lru::get_promotes_entry`\. /);
    const stranger = await registry.execute(invocation('hint', lru.id, { user: { id: 'u-zed', displayName: 'Zed' } }), services);
    assert.match(stranger.text ?? '', /You have not joined Winter cohort yet/);
  });

  it('explains an unknown or ambiguous exercise, and suggests exercises as the user types', async () => {
    const { registry, services } = await joined();
    assert.match((await registry.execute(invocation('hint', 'quantum'), services)).text ?? '', /I found no exercise matching "quantum"/);
    assert.match((await registry.execute(invocation('hint', 'ex01'), services)).text ?? '', /matches several exercises: ex01-lru-cache, ex01-tcp-chat/);
    const choices = registry.autocomplete({ command: 'hint', option: 'exercise', partial: 'bitc' }, services);
    assert.deepEqual(choices, [{ name: `${bitcask.id} · ${bitcask.title}`.slice(0, 100), value: bitcask.id }]);
  });

  it('lets organisers see hint use in /cohort status', async () => {
    const { registry, services } = await joined();
    await registry.execute(invocation('hint', lru.id), services);
    await registry.execute(invocation('hint', lru.id), services);
    const status = await registry.execute(invocation('cohort', 'status', ORGANISER), services);
    assert.equal(status.fields?.find((f) => f.name.startsWith('Hints used'))?.value, `Ada: \`${lru.id}\` 2/3`);
  });
});
