import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { cleanEnv } from '../helpers/clean-env.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { linkedLearner, runChecks, starterRepo } from '../helpers/github-fixture.ts';
import { githubTestServices } from '../helpers/github-services.ts';
import { realCourse } from '../helpers/test-services.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const course = realCourse();
const [first, second] = course.modules[0]!.exercises;

describe('a sync killed in the middle', { timeout: 60_000 }, () => {
  it('loses no pass and celebrates none twice after a restart', async () => {
    const fake = await FakeGithub.start();
    const { store, github, databasePath } = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(store);
    const learners = Array.from({ length: 20 }, (_, i) => {
      starterRepo(fake, course, `k${i}/course`);
      runChecks(fake, `k${i}/course`, [first!.check, second!.check]);
      return linkedLearner(store, cohort, `k${i}`, `k${i}/course`, NOW);
    });
    fake.latencyMs = 150;

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'sync-child.ts'), databasePath, fake.apiUrl, fake.token], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    // Heads (one query) and then snapshots two repos at a time: kill it after four snapshot answers.
    while (fake.requests.filter((r) => r.resource === 'graphql').length < 5) await sleep(10);
    child.kill('SIGKILL');
    await once(child, 'close');
    assert.doesNotMatch(output, /finished/, 'killed before it finished');

    const passedBy = () => learners.filter((l) => store.results.listForLearner(l.id).some((r) => r.firstPassedAt)).length;
    const partial = passedBy();
    assert.ok(partial > 0 && partial < learners.length, `some but not all synced before the kill (${partial})`);

    fake.latencyMs = 0;
    const restarted = await github.pollOnce();
    assert.equal(restarted.newPasses, (learners.length - partial) * 2, 'the restart picks up exactly the rest');
    assert.equal(passedBy(), learners.length);
    const celebrations = store.outbox.due(new Date('2100-01-01'), ['console'], 1000).filter((m) => m.kind === 'celebration');
    const titles = celebrations.map((m) => (m.payload as { title: string }).title);
    // Both passes of a learner are found by one read: one message each, saying so.
    assert.deepEqual(titles.sort(), learners.map((_, i) => `🎉 k${i} linked their repo: 2 exercises already passing`).sort(), 'one celebration per learner, none twice');
    await fake.close();
  });
});
