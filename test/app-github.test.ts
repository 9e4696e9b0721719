import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { LOCAL_PLACE } from '../src/local-mode.ts';
import { openStore } from '../src/store/store.ts';
import { FakeGithub } from './fakes/github/fake-github.ts';
import { sendGithubWebhook } from './fakes/github/webhook-sender.ts';
import { linkedLearner, runChecks, starterRepo } from './helpers/github-fixture.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { realCourse } from './helpers/test-services.ts';

const SECRET = 'webhook-secret-0123456789abcdef';
const course = realCourse();
const exercise = course.modules[0]!.exercises[0]!;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('the app with GitHub', { timeout: 60_000 }, () => {
  it('receives signed webhooks at /github/webhook, syncs the repo they name and celebrates a pass in the channel', async () => {
    const fake = await FakeGithub.start();
    starterRepo(fake, course, 'hook/rust-course');
    const databasePath = path.join(tempDir(), 'github.db');
    const config = loadConfig({ GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl, GITHUB_WEBHOOK_SECRET: SECRET, PORT: '0', DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk) => (printed += String(chunk)));
    const app = await startApp(config, { input, output, httpHost: '127.0.0.1', githubTuning: { webhookDelayMs: 300 } });
    const url = `http://127.0.0.1:${app.httpPort}/github/webhook`;

    // A second connection to the same file, as an operator's sqlite3 shell would be.
    const store = openStore(databasePath);
    const cohort = store.cohorts.findByChannel('console', LOCAL_PLACE.workspaceId, LOCAL_PLACE.channelId)!;
    const learner = linkedLearner(store, cohort, 'hooked', 'hook/rust-course', new Date());
    runChecks(fake, 'hook/rust-course', [exercise.check]);
    const repository = { full_name: 'hook/rust-course', default_branch: 'main' };

    const unsigned = await sendGithubWebhook(url, { event: 'check_run', payload: { action: 'completed', repository } });
    assert.equal(unsigned.status, 401);
    const forged = await sendGithubWebhook(url, { event: 'check_run', payload: { action: 'completed', repository }, secret: 'not-the-secret-at-all' });
    assert.equal(forged.status, 401);
    // Work is stored before the answer, so an empty store now means nothing will ever be synced for them.
    assert.equal(store.githubDeliveries.count(), 0, 'nothing stored for unsigned or forged deliveries');

    const started = fake.requests.length;
    const sideBranch = await sendGithubWebhook(url, { event: 'push', payload: { ref: 'refs/heads/experiment', repository }, secret: SECRET });
    assert.equal(sideBranch.status, 202);
    assert.deepEqual(store.githubDeliveries.pending(), [], 'a push to another branch asks for no sync');

    // A push finishes one job per exercise, each with its webhook: they are read together in one query.
    const delivered = await sendGithubWebhook(url, { event: 'check_run', payload: { action: 'completed', repository }, secret: SECRET });
    assert.equal(delivered.status, 202);
    for (const event of ['check_run', 'check_run', 'check_suite', 'workflow_run']) {
      assert.equal((await sendGithubWebhook(url, { event, payload: { action: 'completed', repository }, secret: SECRET })).status, 202);
    }
    await until(() => printed.includes(`🎉 hooked passed ${exercise.title}`), 'the celebration in the channel');
    await until(() => store.githubDeliveries.pending().length === 0, 'every delivery processed');
    const reads = fake.requests.slice(started).filter((r) => r.path === '/repos/hook/rust-course/branches/main');
    assert.equal(reads.length, 1, 'five webhooks, one read of the repo');
    assert.equal(store.results.listForLearner(learner.id).find((r) => r.exerciseId === exercise.id)?.status, 'passed');

    const requestsBefore = fake.requests.length;
    const again = await sendGithubWebhook(url, { event: 'check_run', payload: { action: 'completed', repository }, secret: SECRET, deliveryId: delivered.deliveryId });
    assert.equal(again.status, 200, 'a redelivery of processed work is acknowledged');
    assert.deepEqual(store.githubDeliveries.pending(), [], 'and not queued again');
    assert.equal(fake.requests.length, requestsBefore);
    assert.equal(printed.split('🎉').length - 1, 1, 'one celebration');

    store.close();
    input.end();
    await app.done;
    await fake.close();
  });

  it('keeps the work of a delivery pending while GitHub answers 502 for its repo, and records the pass once it answers', async () => {
    const fake = await FakeGithub.start();
    starterRepo(fake, course, 'flaky/rust-course');
    const databasePath = path.join(tempDir(), 'github-flaky.db');
    const config = loadConfig({ GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl, GITHUB_WEBHOOK_SECRET: SECRET, PORT: '0', DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' });
    const input = new PassThrough();
    const app = await startApp(config, { input, output: new PassThrough(), httpHost: '127.0.0.1', githubTuning: { webhookDelayMs: 100, retry: false } });
    const store = openStore(databasePath);
    try {
      const cohort = store.cohorts.findByChannel('console', LOCAL_PLACE.workspaceId, LOCAL_PLACE.channelId)!;
      const learner = linkedLearner(store, cohort, 'flaky', 'flaky/rust-course', new Date());
      runChecks(fake, 'flaky/rust-course', [exercise.check]);
      // Two answers fail: the first sync and its first retry (2 s later); the second retry reads the pass.
      fake.fault('flaky/rust-course', { status: 502, times: 2 });
      const repository = { full_name: 'flaky/rust-course', default_branch: 'main' };
      const url = `http://127.0.0.1:${app.httpPort}/github/webhook`;
      assert.equal((await sendGithubWebhook(url, { event: 'check_run', payload: { action: 'completed', repository }, secret: SECRET })).status, 202);
      await until(() => fake.requests.filter((r) => r.status === 502).length >= 1, 'the first, failing read');
      assert.equal(store.githubDeliveries.pending().length, 1, 'a 502 leaves the work pending instead of waiting for the next poll');
      for (let i = 0; i < 200 && !store.results.listForLearner(learner.id).some((r) => r.status === 'passed'); i += 1) await sleep(50);
      assert.equal(store.results.listForLearner(learner.id).find((r) => r.exerciseId === exercise.id)?.status, 'passed');
      await until(() => store.githubDeliveries.pending().length === 0, 'the work marked done');
    } finally {
      store.close();
      input.end();
      await app.done;
      await fake.close();
    }
  });

  it('does the work of deliveries accepted before a stop when it starts again, and redeliveries of unfinished work', async () => {
    const fake = await FakeGithub.start();
    starterRepo(fake, course, 'late/rust-course');
    const databasePath = path.join(tempDir(), 'github-restart.db');
    const config = loadConfig({ GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl, GITHUB_WEBHOOK_SECRET: SECRET, PORT: '0', DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' });
    const start = async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      const seen = { printed: '' };
      output.on('data', (chunk) => (seen.printed += String(chunk)));
      // A gathering delay far longer than the test: the first process stops before it would sync.
      const app = await startApp(config, { input, output, httpHost: '127.0.0.1', githubTuning: { webhookDelayMs: 600_000 } });
      return { app, input, seen, url: `http://127.0.0.1:${app.httpPort}/github/webhook` };
    };
    const first = await start();
    const store = openStore(databasePath);
    const cohort = store.cohorts.findByChannel('console', LOCAL_PLACE.workspaceId, LOCAL_PLACE.channelId)!;
    const learner = linkedLearner(store, cohort, 'late', 'late/rust-course', new Date());
    runChecks(fake, 'late/rust-course', [exercise.check]);
    const repository = { full_name: 'late/rust-course', default_branch: 'main' };
    const delivered = await sendGithubWebhook(first.url, { event: 'check_run', payload: { action: 'completed', repository }, secret: SECRET });
    assert.equal(delivered.status, 202);
    first.input.end();
    await first.app.done;
    assert.equal(store.results.listForLearner(learner.id).length, 0, 'stopped before the sync');
    assert.equal(store.githubDeliveries.pending().length, 1, 'its work is stored');

    const second = await start();
    const redelivered = await sendGithubWebhook(second.url, { event: 'check_run', payload: { action: 'completed', repository }, secret: SECRET, deliveryId: delivered.deliveryId });
    assert.equal(redelivered.status, 202, 'a redelivery of unfinished work is taken, not brushed off as already received');
    await until(() => second.seen.printed.includes(`🎉 late passed ${exercise.title}`), 'the pass found at start');
    await until(() => store.githubDeliveries.pending().length === 0, 'the work marked done');
    assert.equal(store.results.listForLearner(learner.id).find((r) => r.exerciseId === exercise.id)?.status, 'passed');
    assert.equal(second.seen.printed.split('🎉').length - 1, 1, 'one celebration');

    store.close();
    second.input.end();
    await second.app.done;
    await fake.close();
  });
});
