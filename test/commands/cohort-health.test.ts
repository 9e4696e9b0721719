import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { describe, it } from 'node:test';
import { postDueAssignments } from '../../src/scheduler/assignment-job.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');

async function organiserSetup() {
  const env = await testServices(NOW);
  const cohort = berlinCohort(env.store);
  env.store.organisers.add(cohort.id, 'u-ada', null, NOW);
  return { ...env, cohort, run: (command: string, text = '') => env.registry.execute(invocation(command, text), env.services) };
}

describe('/cohort status and /cohort resend', () => {
  it('shows messages that could not be sent, with why, and sends them again on request', async () => {
    const { store, cohort, run, clock } = await organiserSetup();
    const healthy = await run('cohort', 'status');
    assert.ok(!healthy.fields?.some((f) => /could not be sent/.test(f.name)), 'nothing to report while all is sent');

    const id = store.outbox.enqueue(cohort.id, 'assignment', { title: 'Module 01', private: false }, NOW);
    store.outbox.markFailed(id, 'Discord refused the message for channel terminal: Missing Access');
    const status = await run('cohort', 'status');
    const field = status.fields?.find((f) => /1 message could not be sent/.test(f.name));
    assert.ok(field, JSON.stringify(status.fields));
    assert.match(field.value, /assignment: Discord refused the message for channel terminal: Missing Access/);
    assert.match(field.value, /\/cohort resend/);
    assert.equal(status.tone, 'warning');

    clock.set(new Date(NOW.getTime() + 3600_000));
    const resent = await run('cohort', 'resend');
    assert.equal(resent.title, 'Sending 1 message again');
    const message = store.outbox.find(id);
    assert.deepEqual([message?.status, message?.attempts, message?.retrySince.toISOString()], ['pending', 0, clock.now().toISOString()]);
    assert.equal((await run('cohort', 'resend')).title, 'Nothing to resend');
  });
});

describe('a cohort whose stored timezone is not valid', () => {
  async function brokenZone() {
    const env = await organiserSetup();
    // As a hand edit or a zone dropped from a newer tz database would leave it.
    const db = new Database(env.databasePath);
    db.prepare("UPDATE cohorts SET timezone = 'Mars/Olympus_Mons' WHERE id = ?").run(env.cohort.id);
    db.close();
    return env;
  }

  it('is reported on every read path instead of silently never posting', async () => {
    const { store, cohort, run, services, logs } = await brokenZone();
    assert.match(store.cohorts.findById(cohort.id)?.calendarProblem ?? '', /timezone "Mars\/Olympus_Mons" is not one I know/);

    const posted = postDueAssignments({ store, course: realCourse(), logger: services.logger, render: () => ({ title: 'x', private: false }) }, new Date('2026-12-14T12:00:00Z'));
    assert.equal(posted, 0);
    assert.ok(logs.lines().some((l) => l.msg === 'cohort skipped: its calendar is not usable' && l.cohort === cohort.id), 'said in the log');

    const status = await run('cohort', 'status');
    assert.match(status.fields?.find((f) => f.name === '⚠️ Nothing is posted')?.value ?? '', /Mars\/Olympus_Mons/);
    assert.equal(status.tone, 'warning');

    store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    const next = await run('next-module');
    assert.equal(next.private, true);
    assert.match(next.text ?? '', /Winter cohort has no usable schedule: its timezone "Mars\/Olympus_Mons" is not one I know/);
  });

  it('posts again once an organiser sets a valid zone with /cohort timezone', async () => {
    const { store, cohort, run, services } = await brokenZone();
    assert.match((await run('cohort', 'timezone Not/AZone')).text ?? '', /not a timezone I know/);
    const fixed = await run('cohort', 'timezone Europe/Lisbon');
    assert.equal(fixed.title, 'Winter cohort now runs on Europe/Lisbon time');
    assert.equal(store.cohorts.findById(cohort.id)?.calendarProblem, null);
    const posted = postDueAssignments({ store, course: realCourse(), logger: services.logger, render: () => ({ title: 'x', private: false }) }, new Date('2026-12-14T12:00:00Z'));
    assert.equal(posted, 1);
  });
});
