import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { weeklyDigestReply } from '../../src/chat/views/weekly-digest.ts';
import type { Reply } from '../../src/chat/reply.ts';
import { latestDigestSlot, planDigest } from '../../src/core/weekly-digest.ts';
import { sendWeeklyDigests, type DigestJobDeps } from '../../src/scheduler/digest-job.ts';
import { berlinCohort, pass } from '../helpers/cohort-fixture.ts';
import { testServices } from '../helpers/test-services.ts';

// The Winter cohort starts Monday 7 Dec 2026 (Berlin); digests are Fridays 17:00 Berlin: 11 Dec 16:00Z, 18 Dec 16:00Z, …
const FRIDAY = new Date('2026-12-18T16:00:00Z');

async function setUp() {
  const env = await testServices(FRIDAY);
  const cohort = berlinCohort(env.store);
  const deps: DigestJobDeps = { store: env.store, course: env.services.course, logger: env.services.logger, renderDigest: (facts, c) => weeklyDigestReply(facts, c) };
  const digests = () => env.store.outbox.listForCohort(cohort.id).filter((m) => m.kind === 'digest').map((m) => m.payload as Reply);
  return { ...env, cohort, deps, digests };
}

describe('weekly digest slots', () => {
  it('are Fridays 17:00 on the cohort’s clock, across DST', () => {
    const berlin = { startDate: '2027-03-01', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' };
    const local = (d: Date) => DateTime.fromJSDate(d, { zone: 'Europe/Berlin' }).toFormat('ccc d LLL HH:mm');
    assert.equal(local(latestDigestSlot(berlin, new Date('2027-03-24T12:00:00Z'))), 'Fri 19 Mar 17:00');
    assert.equal(local(latestDigestSlot(berlin, new Date('2027-04-01T12:00:00Z'))), 'Fri 26 Mar 17:00');
    assert.equal(local(latestDigestSlot(berlin, new Date('2027-04-02T15:00:00Z'))), 'Fri 2 Apr 17:00', 'summer time: 15:00Z is 17:00');
    assert.equal(planDigest(berlin, new Date('2027-02-26T17:00:00Z'), new Set()), undefined, 'not before the cohort begins');
  });
});

describe('the weekly digest job', () => {
  it('says nothing in a week without a pass, but claims it', async () => {
    const { store, cohort, deps, digests } = await setUp();
    store.learners.join(cohort.id, 'UADA', 'Ada', FRIDAY);
    assert.equal(sendWeeklyDigests(deps, FRIDAY), 0);
    assert.deepEqual(digests(), []);
    assert.ok(store.posts.claimedPeriods(cohort.id, 'digest').has('digest-2026-12-18'));
  });

  it('tells the week: passes, finished modules, the top with who moved up, the next deadline; once', async () => {
    const { store, services, cohort, deps, digests } = await setUp();
    const [m1a, m1b] = services.course.modules[0]!.exercises.map((e) => e.id);
    const m2 = services.course.modules[1]!.exercises.map((e) => e.id);
    const ada = store.learners.join(cohort.id, 'UADA', 'Ada', FRIDAY).learner;
    const bob = store.learners.join(cohort.id, 'UBOB', 'Bob', FRIDAY).learner;
    // Last week: Bob leads. The digest of 11 Dec remembers that.
    pass(store, bob.id, [m1a!], new Date('2026-12-09T10:00:00Z'));
    assert.equal(sendWeeklyDigests(deps, new Date('2026-12-11T16:00:00Z')), 1);
    // This week Ada finishes module 01 and starts module 02: she overtakes Bob.
    pass(store, ada.id, [m1a!, m1b!], new Date('2026-12-14T10:00:00Z'));
    pass(store, ada.id, [m2[0]!], new Date('2026-12-16T10:00:00Z'));
    assert.equal(sendWeeklyDigests(deps, FRIDAY), 1);
    assert.equal(sendWeeklyDigests(deps, new Date(FRIDAY.getTime() + 60_000)), 0, 'once');
    const digest = digests().at(-1)!;
    assert.equal(digest.text, '3 exercises passed this week.');
    const field = (name: string) => digest.fields?.find((f) => f.name === name)?.value ?? '';
    assert.equal(field('Finished a module'), '🎓 Ada — module 01');
    assert.match(field('Leaderboard'), /^🥇 Ada — \d+ pts \(▲ from 2\)\n🥈 Bob — \d+ pts$/);
    assert.match(field('Next deadline'), /^Module 01 · Core Rust Fluency, Mon 21 Dec 2026, 09:00 GMT\+1$/);
    assert.doesNotMatch(digest.footer ?? '', /late/);
  });

  it('after three weeks of downtime posts only the latest week’s, marked late; none while paused', async () => {
    const { store, cohort, deps, digests } = await setUp();
    const ada = store.learners.join(cohort.id, 'UADA', 'Ada', FRIDAY).learner;
    pass(store, ada.id, ['ex01-lru-cache'], new Date('2027-01-05T10:00:00Z'));
    assert.equal(sendWeeklyDigests(deps, new Date('2027-01-09T12:00:00Z')), 1);
    assert.equal(digests().length, 1);
    assert.match(digests()[0]!.footer ?? '', /Sent late/);
    store.cohorts.setStatus(cohort.id, 'paused');
    pass(store, ada.id, ['ex02-config-cli'], new Date('2027-01-12T10:00:00Z'));
    assert.equal(sendWeeklyDigests(deps, new Date('2027-01-15T16:00:00Z')), 0);
  });
});
