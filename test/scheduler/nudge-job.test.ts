import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nudgeReply } from '../../src/chat/views/nudge.ts';
import type { Reply } from '../../src/chat/reply.ts';
import { nudgeFor, type NudgeFacts } from '../../src/core/nudges.ts';
import { sendNudges, type NudgeJobDeps } from '../../src/scheduler/nudge-job.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

const DAY = 86_400_000;
const JOINED = new Date('2026-12-07T10:00:00Z');

describe('the nudge rule', () => {
  const quiet: NudgeFacts = { remindersOptOut: false, joinedAt: JOINED, lastPushAt: null, lastPassAt: null, stuck: undefined, openExercises: 2 };
  it('nudges after 7 quiet days with work open, not at 6, not without open work, never an opted-out learner', () => {
    assert.equal(nudgeFor(quiet, new Date(JOINED.getTime() + 6 * DAY + 23 * 3600_000)), undefined);
    assert.deepEqual(nudgeFor(quiet, new Date(JOINED.getTime() + 7 * DAY)), { kind: 'inactive', days: 7 });
    assert.equal(nudgeFor({ ...quiet, lastPushAt: new Date(JOINED.getTime() + 3 * DAY) }, new Date(JOINED.getTime() + 8 * DAY)), undefined, 'a push counts');
    assert.equal(nudgeFor({ ...quiet, openExercises: 0 }, new Date(JOINED.getTime() + 30 * DAY)), undefined);
    assert.equal(nudgeFor({ ...quiet, remindersOptOut: true }, new Date(JOINED.getTime() + 30 * DAY)), undefined);
  });
  it('nudges a learner stuck on the same exercise for 3 commits, not 2', () => {
    const now = new Date(JOINED.getTime() + DAY);
    assert.equal(nudgeFor({ ...quiet, stuck: { exerciseId: 'ex01-lru-cache', commits: 2 } }, now), undefined);
    assert.deepEqual(nudgeFor({ ...quiet, stuck: { exerciseId: 'ex01-lru-cache', commits: 3 } }, now), { kind: 'stuck', exerciseId: 'ex01-lru-cache', commits: 3 });
  });
});

describe('the nudge job', () => {
  it('sends at most one nudge in seven days per learner, by DM, naming the exercise failed on three pushes in a row', async () => {
    const { store, services, registry } = await testServices(JOINED);
    const cohort = berlinCohort(store);
    const ada = store.learners.join(cohort.id, 'UADA', 'Ada', JOINED).learner;
    const bob = store.learners.join(cohort.id, 'UBOB', 'Bob', JOINED).learner;
    const deps: NudgeJobDeps = { store, course: services.course, logger: services.logger, renderNudge: (n, l, c) => nudgeReply(n, l, c, services.course, services.links) };
    const fail = (commit: string, at: Date) => store.results.record({ learnerId: ada.id, exerciseId: 'ex01-lru-cache', status: 'failed', commit, detail: null }, at);
    fail('c1', new Date('2026-12-08T10:00:00Z'));
    fail('c1', new Date('2026-12-08T11:00:00Z')); // the same commit read again is not another failure
    fail('c2', new Date('2026-12-09T10:00:00Z'));
    store.syncState.saw(ada.id, 'c2', null, new Date('2026-12-09T10:00:00Z'));
    store.syncState.saw(bob.id, 'b1', null, new Date('2026-12-09T10:00:00Z'));
    assert.equal(sendNudges(deps, new Date('2026-12-09T12:00:00Z')), 0, 'two failing commits: not yet');
    // A module not released yet fails on every push of the starter too: that is not being stuck.
    for (const [commit, day] of [['c1', 8], ['c2', 9], ['c3', 10], ['c4', 10]] as const) {
      store.results.record({ learnerId: bob.id, exerciseId: 'ex01-bitcask', status: 'failed', commit, detail: null }, new Date(`2026-12-${String(day).padStart(2, '0')}T10:00:00Z`));
    }
    const failing = { names: ['lru::evicts_least_recent', 'model::matches_a_model'], more: 0 };
    store.results.record({ learnerId: ada.id, exerciseId: 'ex01-lru-cache', status: 'failed', commit: 'c3', detail: null, runId: 77, failingTests: failing }, new Date('2026-12-10T10:00:00Z'));
    assert.equal(sendNudges(deps, new Date('2026-12-10T12:00:00Z')), 1);
    assert.equal(sendNudges(deps, new Date('2026-12-11T12:00:00Z')), 0, 'once this week');
    const [dm] = store.outbox.listForCohort(cohort.id).filter((m) => m.kind === 'nudge');
    assert.equal(dm?.recipientUserId, 'UADA');
    const reply = dm!.payload as Reply;
    assert.match(reply.text ?? '', /`ex01-lru-cache` has failed its CI check on your last 3 pushes\.\nThe latest run: failing: `lru::evicts_least_recent`, `model::matches_a_model`\./);
    assert.ok(reply.links?.some((l) => l.label.startsWith('Lecture')), 'links the lectures it builds on');

    // Organisers see who might need a hand, including the quiet ones.
    const status = await registry.execute(invocation('cohort', 'status', { user: { id: 'UORG', displayName: 'Olga', isOrganiser: true } }), services);
    assert.match(status.fields?.find((f) => f.name.startsWith('Might need a hand'))?.value ?? '', /Ada: `ex01-lru-cache` failed on 3 pushes in a row/);

    // Bob goes quiet: nudged once the week after his last push, then not again that week.
    assert.equal(sendNudges(deps, new Date('2026-12-16T09:00:00Z')), 0, 'Ada was nudged 6 days ago; Bob quiet for 6 days 23 hours');
    assert.equal(sendNudges(deps, new Date('2026-12-16T11:00:00Z')), 1, 'Bob quiet for 7 days');
    assert.equal(sendNudges(deps, new Date('2026-12-17T11:00:00Z')), 0, 'Ada: not yet seven days since her nudge, though a new cohort week began');
    // Opted out: no more nudges.
    await registry.execute(invocation('reminders', 'off', { user: { id: 'UBOB', displayName: 'Bob' } }), services);
    assert.equal(sendNudges(deps, new Date('2026-12-23T11:00:00Z')), 1, 'Ada only');
  });
});
