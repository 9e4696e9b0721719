import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/store.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { sendGithubWebhook } from '../fakes/github/webhook-sender.ts';
import { FAKE_TEAM, FakeSlack } from '../fakes/slack/fake-slack.ts';
import { cleanEnv } from '../helpers/clean-env.ts';
import { linkedLearner, starterRepo } from '../helpers/github-fixture.ts';
import { freePort } from '../helpers/free-port.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { realCourse } from '../helpers/test-services.ts';

/**
 * The real bot process (`src/main.ts`, Slack in HTTP mode, GitHub by token and webhooks) killed with SIGKILL at
 * random moments after webhooks were accepted: before the gathered sync, during it, while celebrations are posted.
 * After the last restart every pass must be recorded and every message must be on Slack exactly once.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const TRIALS = Number(process.env.CRASH_TRIALS ?? 25);
const SECRET = 'webhook-secret-for-the-crash-test';
const SIGNING = 'slack-signing-secret-crash-test';
const GATHER_MS = 200;
const course = realCourse();
const exercises = course.modules.flatMap((m) => m.exercises).slice(0, 5);
const LEARNERS = 5;

describe('webhooks and a bot killed at random moments', { timeout: 10 * 60_000 }, () => {
  it(`loses no pass and posts no Slack message twice across ${TRIALS} kill -9s`, async () => {
    const github = await FakeGithub.start();
    const slack = await FakeSlack.start();
    const databasePath = path.join(tempDir(), 'crash.db');
    const port = await freePort();
    const store = openStore(databasePath);
    const cohort = store.cohorts.create(
      { platform: 'slack', workspaceId: FAKE_TEAM.teamId, channelId: FAKE_TEAM.channelId, name: 'Crash cohort', startDate: '2026-11-02', timezone: 'UTC', postWeekday: 1, postTime: '09:00' },
      new Date(),
    );
    const learners = Array.from({ length: LEARNERS }, (_, i) => {
      starterRepo(github, course, `crash${i}/course`);
      return linkedLearner(store, cohort, `U0CRASH${i}`, `crash${i}/course`, new Date());
    });
    const env = {
      ...cleanEnv(),
      DATABASE_PATH: databasePath,
      PORT: String(port),
      // Links to a published copy of content/: the course pages (PUBLIC_URL) would add their rendering to each of 26 starts.
      CONTENT_BASE_URL: 'https://example.test/content',
      LOG_LEVEL: 'warn',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING,
      SLACK_API_URL: slack.apiUrl,
      GITHUB_TOKEN: github.token,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_POLL_MINUTES: '59',
      GITHUB_WEBHOOK_GATHER_MS: String(GATHER_MS),
      OUTBOX_LEASE_SECONDS: '1',
    };
    let log = '';
    const startBot = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk) => (log += String(chunk)));
      child.stderr?.on('data', (chunk) => (log += String(chunk)));
      for (;;) {
        if (child.exitCode !== null) assert.fail(`the bot exited while starting:\n${log.slice(-3000)}`);
        const up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (up) return child;
        await sleep(50);
      }
    };
    const kill = async (child: ChildProcess) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'close');
      }
    };

    const expected: { learner: number; exercise: number }[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const bot = await startBot();
      const learner = trial % LEARNERS;
      const exercise = Math.floor(trial / LEARNERS) % exercises.length;
      const repo = `crash${learner}/course`;
      github.addCheckRun(repo, { name: exercises[exercise]!.check, conclusion: 'success' });
      expected.push({ learner, exercise });
      const answer = await sendGithubWebhook(`http://127.0.0.1:${port}/github/webhook`, {
        event: 'check_run',
        payload: { action: 'completed', repository: { full_name: repo, default_branch: 'main' } },
        secret: SECRET,
      });
      assert.equal(answer.status, 202);
      // Anywhere from right after the 202 to well after the sync and the posts.
      await sleep(Math.floor(Math.random() * (GATHER_MS + 1500)));
      await kill(bot);
    }

    const last = await startBot();
    const passedAll = () =>
      expected.every(({ learner, exercise }) => store.results.listForLearner(learners[learner]!.id).some((r) => r.exerciseId === exercises[exercise]!.id && r.firstPassedAt));
    const outboxEmpty = () => store.outbox.pendingCount(cohort.id) === 0;
    const deadline = Date.now() + 60_000;
    while (!(passedAll() && outboxEmpty()) && Date.now() < deadline) await sleep(100);
    assert.ok(passedAll(), `every pass recorded after the last restart\n${log.slice(-3000)}`);
    assert.ok(outboxEmpty(), 'every message sent');
    last.kill('SIGTERM');
    await once(last, 'close');

    const keys = slack.posted.map((p) => (p.metadata?.event_payload as { key?: string } | undefined)?.key);
    assert.ok(keys.every(Boolean), 'every post carries its outbox key');
    assert.equal(new Set(keys).size, keys.length, `no message posted twice: ${keys.join(', ')}`);
    // Every message the outbox sent (alone, or a burst under its first row's key) is on Slack, and nothing else.
    const rows = store.outbox.listForCohort(cohort.id);
    assert.ok(rows.every((r) => r.status === 'sent'), 'every message sent, none failed');
    assert.deepEqual(new Set(keys), new Set(rows.map((r) => `outbox-${r.groupId ?? r.id}`)));
    // Each pass was celebrated in exactly one stored celebration (one row may stand for several of a learner's).
    for (const [i, learner] of learners.entries()) {
      const covered = rows
        .filter((r) => r.kind === 'celebration' && (r.payload as { title: string }).title.includes(`U0CRASH${i} `))
        .reduce((sum, r) => sum + Number(/(\d+) exercises/.exec((r.payload as { title: string }).title)?.[1] ?? 1), 0);
      const passes = store.results.listForLearner(learner.id).filter((r) => r.firstPassedAt).length;
      assert.equal(covered, passes, `U0CRASH${i}: ${passes} passes, ${covered} celebrated`);
    }
    store.close();
    await github.close();
    await slack.close();
  });
});
