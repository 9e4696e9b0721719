import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { openStore } from '../src/store/store.ts';
import { FakeDiscord, FAKE_IDS, ORGANISER } from './fakes/discord/fake-discord.ts';
import { FakeGithub } from './fakes/github/fake-github.ts';
import { sendGithubWebhook } from './fakes/github/webhook-sender.ts';
import { FAKE_TEAM, FakeSlack, signSlackRequest, SLACK_ADMIN } from './fakes/slack/fake-slack.ts';
import { cleanEnv } from './helpers/clean-env.ts';
import { freePort } from './helpers/free-port.ts';
import { linkedLearner, runChecks, starterRepo } from './helpers/github-fixture.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { realCourse } from './helpers/test-services.ts';

const REPO = path.resolve(import.meta.dirname, '..');

/**
 * The real bot with every secret it can hold (Discord and Slack tokens, the Slack signing secret, a GitHub App's
 * private key, the webhook secret, the metrics token), logging at debug, taken through work and failures on every
 * platform: nothing captured (its whole output, every reply and message, the metrics, every HTTP answer) holds a
 * secret, a line of the key, or a token GitHub issued to the App.
 */
describe('secrets', { timeout: 120_000 }, () => {
  it('never appear in logs, replies, messages, metrics or HTTP answers', async () => {
    const secrets = {
      discord: 'discord-bot-secret-7f3a9c1e',
      slackBot: 'xoxb-slack-bot-secret-91ad44',
      slackSigning: 'slack-signing-secret-5c2e7b',
      webhook: 'github-webhook-secret-0d9e3f',
      metrics: 'metrics-bearer-secret-66ab21',
    };
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyLines = pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));

    const discord = await FakeDiscord.start(secrets.discord);
    const slack = await FakeSlack.start(secrets.slackBot);
    const github = await FakeGithub.start('ghp_unused_by_the_app');
    github.enableApp('4242', publicKey);
    const course = realCourse();
    starterRepo(github, course, 'secret-keeper/course');
    github.install(77, ['secret-keeper/course']);
    const databasePath = path.join(tempDir(), 'secrets.db');
    const store = openStore(databasePath);
    const cohort = store.cohorts.create({ platform: 'slack', workspaceId: FAKE_TEAM.teamId, channelId: FAKE_TEAM.channelId, name: 'Secret cohort', startDate: '2026-11-02', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, new Date());
    linkedLearner(store, cohort, SLACK_ADMIN.id, 'secret-keeper/course', new Date());
    store.close();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const captured: string[] = [];
    const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO,
      env: {
        ...cleanEnv(),
        DATABASE_PATH: databasePath,
        PORT: String(port),
        CONTENT_BASE_URL: 'https://example.test/content',
        LOG_LEVEL: 'debug',
        METRICS_TOKEN: secrets.metrics,
        DISCORD_TOKEN: secrets.discord,
        DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
        DISCORD_GUILD_ID: FAKE_IDS.guildId,
        DISCORD_API_URL: discord.apiUrl,
        SLACK_BOT_TOKEN: secrets.slackBot,
        SLACK_SIGNING_SECRET: secrets.slackSigning,
        SLACK_API_URL: slack.apiUrl,
        GITHUB_APP_ID: '4242',
        GITHUB_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
        GITHUB_API_URL: github.apiUrl,
        GITHUB_WEBHOOK_SECRET: secrets.webhook,
        GITHUB_WEBHOOK_GATHER_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bot.stdout?.on('data', (chunk) => captured.push(String(chunk)));
    bot.stderr?.on('data', (chunk) => captured.push(String(chunk)));
    try {
      for (let i = 0; i < 600 && !(await fetch(`${base}/readyz`).then((r) => r.ok, () => false)); i += 1) {
        assert.equal(bot.exitCode, null, captured.join(''));
        await sleep(50);
      }
      const http = async (url: string, init?: RequestInit) => {
        const response = await fetch(url, init);
        captured.push(`${response.status} ${[...response.headers].join(' ')} ${await response.text()}`);
        return response.status;
      };
      const slash = (text: string) => {
        const { body } = slack.slashCommand({ command: '/cohort-bot', text, user: SLACK_ADMIN });
        return http(`${base}/slack/events`, { method: 'POST', body, headers: signSlackRequest(secrets.slackSigning, body) });
      };
      // Work and failures: commands on both platforms, a refusal, a webhook that syncs, bad signatures, GitHub failing.
      for (const text of ['help', 'progress', 'cohort status', 'link-github start login=nobody repo=nobody/missing', 'cohort sync', 'module nonsense']) await slash(text);
      for (const command of ['help', 'leaderboard']) await discord.responsesFor(discord.sendInteraction({ user: ORGANISER, command }));
      await discord.responsesFor(discord.sendInteraction({ user: ORGANISER, command: 'cohort', subcommand: 'create', options: [{ name: 'name', value: 'Secret D' }, { name: 'start', value: '2026-11-02' }, { name: 'timezone', value: 'UTC' }] }));
      runChecks(github, 'secret-keeper/course', [course.modules[0]!.exercises[0]!.check]);
      const repository = { full_name: 'secret-keeper/course', default_branch: 'main' };
      captured.push(String((await sendGithubWebhook(`${base}/github/webhook`, { event: 'check_run', payload: { action: 'completed', repository }, secret: secrets.webhook })).status));
      captured.push(String((await sendGithubWebhook(`${base}/github/webhook`, { event: 'check_run', payload: { action: 'completed', repository }, secret: 'not-the-secret' })).status));
      for (let i = 0; i < 100 && slack.posted.length === 0; i += 1) await sleep(50);
      github.fault('secret-keeper/course', { status: 500 });
      await slash('sync');
      await http(`${base}/slack/events`, { method: 'POST', body: 'command=%2Fcohort-bot&text=help', headers: signSlackRequest('wrong-signing-secret', 'command=%2Fcohort-bot&text=help') });
      await http(`${base}/metrics`, { headers: { authorization: `Bearer ${secrets.metrics}` } });
      await http(`${base}/metrics`);
      await http(`${base}/readyz`);
      assert.ok(slack.posted.length > 0, 'the pass was celebrated, so the App read the repo with its key');
    } finally {
      bot.kill('SIGTERM');
      await once(bot, 'close');
      await discord.close();
      await slack.close();
      await github.close();
    }
    captured.push(JSON.stringify([...discord.responses.values()]), JSON.stringify(discord.channelMessages), JSON.stringify(slack.responses), JSON.stringify(slack.posted));
    const everything = captured.join('\n');
    assert.ok(everything.length > 10_000, 'a real amount of output was captured');
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!everything.includes(secret), `${name} appears in what the bot said`);
    for (const line of keyLines) assert.ok(!everything.includes(line), 'a line of the App private key appears');
    assert.doesNotMatch(everything, /ghs_[0-9a-f]{8,}/, 'an installation token GitHub issued appears');
    assert.doesNotMatch(everything, /eyJ[\w-]{10,}\.eyJ[\w-]{10,}/, "the App's signed JWT appears");
  });
});
