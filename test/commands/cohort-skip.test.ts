import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleWindows } from '../../src/core/schedule.ts';
import { postDueAssignments } from '../../src/scheduler/assignment-job.ts';
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
