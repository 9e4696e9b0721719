import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buddyIntroductionReply } from '../../src/chat/views/buddies.ts';
import type { Reply } from '../../src/chat/reply.ts';
import { pairsOf } from '../../src/core/buddies.ts';
import { pairStudyBuddies, type BuddyJobDeps } from '../../src/scheduler/buddy-job.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

// The Winter cohort: Mondays 09:00 Berlin from 7 Dec 2026; module 02 is released Mon 21 Dec.
const FIRST = new Date('2026-12-07T08:00:00Z');
const SECOND = new Date('2026-12-21T08:00:00Z');

describe('the study buddy job', () => {
  it('pairs opted-in learners at each release (a trio when odd), introduces them by DM, once, new partners next time', async () => {
    const { store, services, registry } = await testServices(FIRST);
    const cohort = berlinCohort(store);
    const learners = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay'].map((name) => store.learners.join(cohort.id, `U${name.toUpperCase()}`, name, FIRST).learner);
    for (const learner of learners.slice(0, 5)) {
      const reply = await registry.execute(invocation('buddy', 'on', { user: { id: learner.platformUserId, displayName: learner.displayName } }), services);
      assert.equal(reply.title, 'You will get a study buddy');
    }
    const deps: BuddyJobDeps = { store, course: services.course, logger: services.logger, renderIntroduction: buddyIntroductionReply };
    assert.equal(pairStudyBuddies(deps, FIRST), 2, 'a pair and a trio');
    assert.equal(pairStudyBuddies(deps, new Date(FIRST.getTime() + 60_000)), 0, 'once per module');
    const dms = store.outbox.listForCohort(cohort.id).filter((m) => m.kind === 'buddies');
    assert.deepEqual(dms.map((m) => m.recipientUserId).sort(), learners.slice(0, 5).map((l) => l.platformUserId).sort(), 'each opted-in learner, not Fay');
    const trioMessage = dms.map((m) => m.payload as Reply).find((r) => /buddies for/.test(r.title ?? ''));
    assert.match(trioMessage?.text ?? '', /paired with \*\*\w+ and \w+\*\*/);

    const status = await registry.execute(invocation('cohort', 'status', { user: { id: 'UORG', displayName: 'Olga', isOrganiser: true } }), services);
    const field = status.fields?.find((f) => f.name === 'Study buddies (module 01)');
    assert.equal(field?.value.split('\n').length, 2);

    // Fay joins in: six learners, three new pairs (with five, a trio with no earlier pair can be impossible).
    store.buddies.setOptIn(learners[5]!.id, true);
    assert.equal(pairStudyBuddies(deps, SECOND), 3);
    const groups = store.buddies.groups(cohort.id);
    const repeated = [...pairsOf(groups.get('module-02') ?? [])].filter((key) => pairsOf(groups.get('module-01') ?? []).has(key));
    assert.deepEqual(repeated, [], 'new partners for module 02');
  });

  it('pairs no one when fewer than two opted in, and stays claimed', async () => {
    const { store, services } = await testServices(FIRST);
    const cohort = berlinCohort(store);
    const ada = store.learners.join(cohort.id, 'UADA', 'Ada', FIRST).learner;
    store.buddies.setOptIn(ada.id, true);
    const deps: BuddyJobDeps = { store, course: services.course, logger: services.logger, renderIntroduction: buddyIntroductionReply };
    assert.equal(pairStudyBuddies(deps, FIRST), 0);
    assert.deepEqual(store.outbox.listForCohort(cohort.id), []);
  });
});
