import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleWindows } from '../../src/core/schedule.ts';
import { postDueAssignments } from '../../src/scheduler/assignment-job.ts';
import { sendWeeklyDigests } from '../../src/scheduler/digest-job.ts';
import { sendDueReminders } from '../../src/scheduler/reminder-job.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

// The Winter cohort: Mondays 09:00 Berlin from 7 Dec 2026. Module 01 runs two weeks, to Mon 21 Dec.
const NOW = new Date('2026-12-16T12:00:00Z');
const ORGANISER = { id: 'UORG', displayName: 'Olga', isOrganiser: true };
const WEEK = 7 * 24 * 3600_000;

describe('/cohort skip', () => {
  it('moves every later release and due date a week, across the year end and DST; posts already made stay', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const deps = { store, course: services.course, logger: services.logger, render: () => ({ title: 'post', private: false }) };
    assert.equal(postDueAssignments(deps, NOW), 1, 'module 01 posted');
    const before = moduleWindows(services.course, cohort);

    const refused = await registry.execute(invocation('cohort', 'skip', { user: { id: 'UADA', displayName: 'Ada' } }), services);
    assert.match(refused.text ?? '', /Only the cohort organisers/);
    const reply = await registry.execute(invocation('cohort', 'skip', { user: ORGANISER }), services);
    assert.equal(reply.title, 'Winter cohort takes a week off');
    assert.match(reply.text ?? '', /No module is released or due in the week of Mon 21 Dec 2026, 09:00 GMT\+1\./);
    assert.match(reply.text ?? '', /Module 01 · Core Rust Fluency is now due Mon 28 Dec 2026, 09:00 GMT\+1\./);

    const after = moduleWindows(services.course, store.cohorts.findById(cohort.id)!);
    assert.equal(after[0]!.releaseAt.getTime(), before[0]!.releaseAt.getTime(), 'what was released stays');
    for (const [i, window] of after.entries()) {
      // Local wall-clock dates a week later: across the March DST change a week is 7 days on the calendar, not 168 h.
      const shift = window.dueAt.getTime() - before[i]!.dueAt.getTime();
      assert.ok(Math.abs(shift - WEEK) <= 3600_000, `module ${i + 1} due moved ${shift / 3600_000} h`);
      if (i > 0) assert.ok(Math.abs(window.releaseAt.getTime() - before[i]!.releaseAt.getTime() - WEEK) <= 3600_000);
    }
    // The post for module 01 is not made again; module 02 comes a week later than planned.
    assert.equal(postDueAssignments(deps, new Date('2026-12-21T09:00:00Z')), 0);
    assert.equal(postDueAssignments(deps, new Date('2026-12-28T08:00:00Z')), 1);

    // A second skip takes the week after.
    await registry.execute(invocation('cohort', 'skip', { user: ORGANISER }), services);
    assert.deepEqual(store.cohorts.findById(cohort.id)!.skippedSlots, [2, 3]);
  });
});

describe('/cohort settings', () => {
  it('shows the rhythm, changes it, and the jobs follow: reminder lead, digest day or off, nudge thresholds', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const shown = await registry.execute(invocation('cohort', 'settings', { user: ORGANISER }), services);
    assert.equal(shown.title, 'Winter cohort: settings');
    assert.deepEqual(shown.fields?.map((f) => f.value), ['48 h before each module is due', 'Fridays at 17:00 (Europe/Berlin)', 'after 7 quiet days, or 3 failing commits in a row']);

    const saved = await registry.execute(invocation('cohort', 'settings reminder-hours:24 digest-time:"Sun 18:00" stuck-commits:5', { user: ORGANISER }), services);
    assert.equal(saved.title, 'Winter cohort: settings saved');
    const settings = store.cohorts.findById(cohort.id)!.settings!;
    assert.deepEqual(settings, { reminderLeadHours: 24, digest: { enabled: true, weekday: 7, time: '18:00' }, nudges: { inactiveDays: 7, stuckCommits: 5 } });

    const refused = await registry.execute(invocation('cohort', 'settings reminder-hours:1000', { user: ORGANISER }), services);
    assert.match(refused.text ?? '', /1000 is outside 1–336/);

    // The reminder of module 01 (due Mon 21 Dec 09:00) now comes Sun 20 Dec 09:00, not Sat 19 Dec.
    const reminders = { store, course: services.course, logger: services.logger, renderReminder: () => ({ title: 'reminder', private: false }) };
    assert.equal(sendDueReminders(reminders, new Date('2026-12-19T08:00:00Z')), 0);
    assert.equal(sendDueReminders(reminders, new Date('2026-12-20T08:00:00Z')), 1);

    // The digest: Sundays 18:00; off means none.
    const ada = store.learners.join(cohort.id, 'UADA', 'Ada', NOW).learner;
    store.results.record({ learnerId: ada.id, exerciseId: 'ex01-lru-cache', status: 'passed', commit: 'c', detail: null }, new Date('2026-12-16T10:00:00Z'));
    const digests = { store, course: services.course, logger: services.logger, renderDigest: () => ({ title: 'digest', private: false }) };
    assert.equal(sendWeeklyDigests(digests, new Date('2026-12-18T16:00:00Z')), 0, 'not Friday any more');
    await registry.execute(invocation('cohort', 'settings digest:off', { user: ORGANISER }), services);
    assert.equal(sendWeeklyDigests(digests, new Date('2026-12-20T17:00:00Z')), 0, 'off');
    await registry.execute(invocation('cohort', 'settings digest:on', { user: ORGANISER }), services);
    assert.equal(sendWeeklyDigests(digests, new Date('2026-12-20T17:00:00Z')), 1, 'Sunday 18:00 Berlin');
  });
});
