import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { linkedLearner, runChecks, starterRepo } from '../helpers/github-fixture.ts';
import { githubTestServices } from '../helpers/github-services.ts';
import { realCourse } from '../helpers/test-services.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const course = realCourse();
const exercise = course.modules[0]!.exercises[0]!;

describe('stopping the GitHub service', { timeout: 30_000 }, () => {
  it('waits for a running sync, so what it read is recorded before the store closes', async () => {
    const fake = await FakeGithub.start();
    const { store, github } = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(store);
    starterRepo(fake, course, 'slow/course');
    runChecks(fake, 'slow/course', [exercise.check]);
    const learner = linkedLearner(store, cohort, 'slow', 'slow/course', NOW);
    fake.latencyMs = 100;

    const running = github.sync([learner], { force: true });
    await github.stop();
    assert.ok(store.results.listForLearner(learner.id).find((r) => r.exerciseId === exercise.id)?.firstPassedAt, 'recorded before stop() resolved');
    store.close();
    assert.equal((await running).newPasses, 1);
    await fake.close();
  });

  it('gives up waiting after its grace period', async () => {
    const fake = await FakeGithub.start();
    const { store, github } = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(store);
    starterRepo(fake, course, 'stuck/course');
    const learner = linkedLearner(store, cohort, 'stuck', 'stuck/course', NOW);
    fake.fault('stuck/course', { hangMs: 3000 });
    const running = github.sync([learner], { force: true });
    const started = Date.now();
    await github.stop(100);
    assert.ok(Date.now() - started < 2500, 'did not wait for the hung request');
    await running.catch(() => {});
    store.close();
    await fake.close();
  });
});
