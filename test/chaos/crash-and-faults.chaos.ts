import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Cohort } from '../../src/core/cohort.ts';
import { openStore } from '../../src/store/store.ts';
import { FakeDiscord, FAKE_IDS, ORGANISER } from '../fakes/discord/fake-discord.ts';
import { FaultPlan, seededRandom } from '../fakes/fault-plan.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { sendGithubWebhook } from '../fakes/github/webhook-sender.ts';
import { FAKE_TEAM, FakeSlack, signSlackRequest, SLACK_ADMIN } from '../fakes/slack/fake-slack.ts';
import { cleanEnv } from '../helpers/clean-env.ts';
import { freePort } from '../helpers/free-port.ts';
import { linkedLearner, starterRepo } from '../helpers/github-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { realCourse } from '../helpers/test-services.ts';

/**
 * The real bot process (`src/main.ts`) on Discord (gateway and REST), Slack (HTTP mode) and GitHub (token and
 * webhooks) at once, killed with SIGKILL at seeded random moments while it syncs webhook bursts, posts assignments
 * and edits board messages, and restarted each time; throughout, 20% of GitHub's answers fail (5xx, secondary rate
 * limit, timeout, reset) and 10% of what the bot sends to Discord and Slack fails (5xx, 429 with retry-after,
 * connection reset before or after the platform handled it). Afterwards every pass is recorded and celebrated
 * once, and every outbox message is on its platform exactly once.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const TRIALS = Number(process.env.CHAOS_TRIALS ?? 50);
const SEED = Number(process.env.CHAOS_SEED ?? 20261204);
const WEBHOOK_SECRET = 'chaos-webhook-secret-value';
const SIGNING_SECRET = 'chaos-slack-signing-secret';
const GATHER_MS = 200;
const LEARNERS_PER_COHORT = 4;
const course = realCourse();
const exercises = course.modules.flatMap((m) => m.exercises).slice(0, 6);

type Activity = 'webhook-burst' | 'post-now' | 'quiet';

describe('the bot killed at random moments while GitHub and the platforms fail', { timeout: 20 * 60_000 }, () => {
  it(`loses no pass and sends every message once across ${TRIALS} kill -9s (seed ${SEED})`, async (t) => {
    const random = seededRandom(SEED);
    const github = await FakeGithub.start();
    const slack = await FakeSlack.start();
    const discord = await FakeDiscord.start();
    github.chaos = new FaultPlan(0.2, SEED + 1, ['server-error', 'rate-limited', 'timeout', 'reset']);
    slack.chaos = new FaultPlan(0.1, SEED + 2, ['server-error', 'rate-limited', 'reset', 'lost-answer']);
    discord.chaos = new FaultPlan(0.1, SEED + 3, ['server-error', 'rate-limited', 'reset', 'lost-answer']);
    const bots = new Set<ChildProcess>();
    // Whatever fails, the fakes and any bot still running are closed, or node --test would wait for them for ever.
    try {
      const databasePath = path.join(tempDir(), 'chaos.db');
      const port = await freePort();
      const store = openStore(databasePath);
      t.after(() => store.close());
      const now = new Date();
      const cohortOn = (platform: 'discord' | 'slack'): Cohort => {
        const where = platform === 'discord' ? { workspaceId: FAKE_IDS.guildId, channelId: FAKE_IDS.channelId } : { workspaceId: FAKE_TEAM.teamId, channelId: FAKE_TEAM.channelId };
        const cohort = store.cohorts.create({ platform, ...where, name: `Chaos ${platform}`, startDate: '2026-11-02', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, now);
        store.cohorts.setBoardEnabled(cohort.id, true);
        return cohort;
      };
      const cohorts = [cohortOn('discord'), cohortOn('slack')];
      const learners = cohorts.flatMap((cohort) =>
        Array.from({ length: LEARNERS_PER_COHORT }, (_, i) => {
          const id = cohort.platform === 'discord' ? `11000000000000009${cohort.id}${i}` : `U0CHAOS${cohort.id}${i}`;
          const repo = `chaos-${cohort.platform}-${i}/course`;
          starterRepo(github, course, repo);
          return { learner: linkedLearner(store, cohort, id, repo, now), repo, displayName: id, passed: 0 };
        }),
      );

      const env = {
        ...cleanEnv(),
        DATABASE_PATH: databasePath,
        PORT: String(port),
        CONTENT_BASE_URL: 'https://example.test/content',
        LOG_LEVEL: 'warn',
        DISCORD_TOKEN: discord.token,
        DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
        DISCORD_GUILD_ID: FAKE_IDS.guildId,
        DISCORD_API_URL: discord.apiUrl,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        GITHUB_TOKEN: github.token,
        GITHUB_API_URL: github.apiUrl,
        GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
        GITHUB_POLL_MINUTES: '59',
        GITHUB_WEBHOOK_GATHER_MS: String(GATHER_MS),
        OUTBOX_LEASE_SECONDS: '1',
      };
      let log = '';
      const startBot = async (): Promise<ChildProcess> => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
        bots.add(child);
        child.on('close', () => bots.delete(child));
        child.stdout?.on('data', (chunk) => (log += String(chunk)));
        child.stderr?.on('data', (chunk) => (log += String(chunk)));
        const deadline = Date.now() + 60_000;
        for (;;) {
          if (child.exitCode !== null) assert.fail(`the bot exited while starting:\n${log.slice(-3000)}`);
          if (Date.now() > deadline) assert.fail(`the bot was not ready within a minute:\n${log.slice(-3000)}`);
          const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
          if (ready) return child;
          await sleep(50);
        }
      };
      const kill = async (child: ChildProcess) => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'close');
        }
      };
      const slackCommand = async (command: string, text: string) => {
        const { body } = slack.slashCommand({ command, text, user: SLACK_ADMIN });
        return fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SIGNING_SECRET, body) }).then(
          (r) => r.status,
          () => 0,
        );
      };

      const done = { 'webhook-burst': 0, 'post-now': 0, quiet: 0 } satisfies Record<Activity, number>;
      const started = Date.now();
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const bot = await startBot();
        const roll = random();
        const activity: Activity = roll < 0.6 ? 'webhook-burst' : roll < 0.85 ? 'post-now' : 'quiet';
        done[activity] += 1;
        if (activity === 'webhook-burst') {
          // One to three learners each pass their next exercise; every finished job sends its own webhook.
          const count = 1 + Math.floor(random() * 3);
          for (let i = 0; i < count; i += 1) {
            const who = learners[Math.floor(random() * learners.length)]!;
            if (who.passed >= exercises.length) continue;
            github.addCheckRun(who.repo, { name: exercises[who.passed]!.check, conclusion: 'success' });
            who.passed += 1;
            const answer = await sendGithubWebhook(`http://127.0.0.1:${port}/github/webhook`, {
              event: 'check_run',
              payload: { action: 'completed', repository: { full_name: who.repo, default_branch: 'main' } },
              secret: WEBHOOK_SECRET,
            });
            assert.equal(answer.status, 202);
          }
        } else if (activity === 'post-now') {
          if (random() < 0.5) discord.sendInteraction({ user: ORGANISER, command: 'cohort', subcommand: 'post-now' });
          else await slackCommand('/cohort', 'post-now');
        }
        // Anywhere from at once to after the gathered sync, its celebrations and the board edits.
        await sleep(Math.floor(random() * (GATHER_MS + 2_000)));
        await kill(bot);
      }

      // No more kills; the faults go on while the last process finishes what the others left.
      const last = await startBot();
      const expected = learners.flatMap((l) => exercises.slice(0, l.passed).map((exercise) => ({ l, exercise })));
      const recorded = () => expected.filter(({ l, exercise }) => store.results.listForLearner(l.learner.id).some((r) => r.exerciseId === exercise.id && r.firstPassedAt));
      const settled = () => recorded().length === expected.length && cohorts.every((c) => store.outbox.pendingCount(c.id) === 0);
      const deadline = Date.now() + 5 * 60_000;
      while (!settled() && Date.now() < deadline) await sleep(200);
      last.kill('SIGTERM');
      await once(last, 'close');
      assert.equal(recorded().length, expected.length, `every pass recorded after the last restart\n${log.slice(-3000)}`);

      // Every outbox row was sent, and is on its platform exactly once: Slack by the key in the message metadata,
      // Discord by the nonce (which Discord itself uses to drop a resend of the same message).
      const rows = cohorts.flatMap((c) => store.outbox.listForCohort(c.id).map((row) => ({ ...row, platform: c.platform })));
      assert.deepEqual(
        rows.filter((r) => r.status !== 'sent').map((r) => `${r.platform} ${r.kind} ${r.status}`),
        [],
        `every message sent, none failed\n${log.split('\n').filter((line) => /failed for good/.test(line)).join('\n')}`,
      );
      const slackKeys = slack.posted.map((p) => (p.metadata?.event_payload as { key?: string } | undefined)?.key ?? '(no key)');
      const discordKeys = discord.channelMessages.filter((m) => m.channelId === FAKE_IDS.channelId).map((m) => String(m.body.nonce ?? '(no nonce)'));
      for (const [platform, keys] of [['slack', slackKeys], ['discord', discordKeys]] as const) {
        const twice = keys.filter((key, i) => keys.indexOf(key) !== i);
        assert.deepEqual(twice, [], `${platform}: no message posted twice`);
        // A row that edits a message posts nothing new unless its message is gone; every other row posts once.
        const posts = [...new Set(rows.filter((r) => r.platform === platform && r.editOf === null).map((r) => `outbox-${r.groupId ?? r.id}`))];
        const missing = posts.filter((key) => !keys.includes(key));
        assert.deepEqual(missing, [], `${platform}: every posted outbox message is on the platform`);
        const boards = rows.filter((r) => r.platform === platform && r.kind === 'board' && r.editOf === null);
        assert.equal(boards.length, 1, `${platform}: one board message, edited in place after that`);
      }
      // Each pass celebrated in exactly one stored celebration (a row may stand for several of a learner's passes).
      for (const l of learners) {
        const celebrated = rows
          .filter((r) => r.kind === 'celebration' && (r.payload as { title: string }).title.includes(`${l.displayName} `))
          .reduce((sum, r) => sum + Number(/(\d+) exercises/.exec((r.payload as { title: string }).title)?.[1] ?? 1), 0);
        assert.equal(celebrated, l.passed, `${l.displayName}: ${l.passed} passes, ${celebrated} celebrated`);
      }

      const figures = [
        `chaos: ${TRIALS} kill -9 trials (seed ${SEED}): ${done['webhook-burst']} during webhook bursts, ${done['post-now']} after /cohort post-now, ${done.quiet} idle, in ${Math.round((Date.now() - started) / 1000)} s`,
        `chaos: GitHub faults ${github.chaos.summary()}`,
        `chaos: Slack send faults ${slack.chaos.summary()}`,
        `chaos: Discord send faults ${discord.chaos.summary()}`,
        `chaos: ${expected.length} passes recorded, ${rows.length} outbox messages sent (Slack ${slackKeys.length} posts and ${slack.calls.filter((c) => c.method === 'chat.update' && c.status === 200).length} board edits, Discord ${discordKeys.length} posts and ${discord.messageEdits.length} board edits), failures: 0`,
      ];
      for (const line of figures) t.diagnostic(line);
    } finally {
      for (const bot of bots) bot.kill('SIGKILL');
      await github.close();
      await slack.close();
      await discord.close();
    }
  });
});
