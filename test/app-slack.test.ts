import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { startApp } from '../src/app.ts';
import { loadCommands } from '../src/chat/load-commands.ts';
import { SLACK_BUILT_IN_COMMANDS } from '../src/adapters/slack/slack-commands.ts';
import { loadConfig } from '../src/config.ts';
import { openStore } from '../src/store/store.ts';
import { FakeGithub } from './fakes/github/fake-github.ts';
import { sendGithubWebhook } from './fakes/github/webhook-sender.ts';
import { FAKE_TEAM, FakeSlack, signSlackJsonRequest, signSlackRequest, SLACK_ADMIN, SLACK_MEMBER } from './fakes/slack/fake-slack.ts';
import { runChecks, starterRepo } from './helpers/github-fixture.ts';
import { realCourse } from './helpers/test-services.ts';
import { cleanEnv } from './helpers/clean-env.ts';
import { tempDir } from './helpers/temp-dir.ts';

const REPO = path.resolve(import.meta.dirname, '..');

interface Manifest {
  features: { slash_commands: { command: string; should_escape: boolean; url?: string }[]; app_home: { messages_tab_enabled: boolean; home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; interactivity: { request_url?: string } };
}

async function writeManifest(env: Record<string, string>): Promise<Manifest> {
  const file = path.join(tempDir(), 'manifest.json');
  const child = spawn('npm', ['run', '-s', 'slack:manifest', '--', file], { cwd: REPO, env: { ...cleanEnv(), ...env }, stdio: 'ignore' });
  const [code] = (await once(child, 'close')) as [number];
  assert.equal(code, 0);
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}
const SECRET = 'fake-signing-secret-0123456789';
const HOOK_SECRET = 'webhook-secret-0123456789abcdef';
const course = realCourse();

describe('the app on Slack', { timeout: 60_000 }, () => {
  it('serves slash commands on PORT in HTTP mode and delivers /cohort post-now through the outbox with chat.postMessage', async () => {
    const fake = await FakeSlack.start();
    const config = loadConfig({
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      PUBLIC_URL: 'https://cohort.example.test',
      DATABASE_PATH: path.join(tempDir(), 'slack.db'),
      LOG_LEVEL: 'silent',
    });
    const app = await startApp(config, { input: new PassThrough(), output: new PassThrough(), httpHost: '127.0.0.1' });
    assert.ok(app.httpPort);
    const slash = async (command: string, text: string) => {
      const { body } = fake.slashCommand({ command, text, user: SLACK_ADMIN });
      const response = await fetch(`http://127.0.0.1:${app.httpPort}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SECRET, body) });
      return (await response.json()) as Record<string, unknown>;
    };
    assert.match(JSON.stringify(await slash('/cohort', 'create name=Winter start=2026-11-02 timezone=UTC')), /Cohort Winter is set up/);
    const posted = once(fake, 'posted');
    assert.match(JSON.stringify(await slash('/cohort', 'post-now')), /Posting Module/);
    await posted;
    assert.equal(fake.posted.at(-1)?.channel, FAKE_TEAM.channelId);
    assert.match(fake.posted.at(-1)?.text ?? '', /^Module \d\d · .* starts now/);
    const buttons = JSON.stringify(fake.posted.at(-1)?.blocks).match(/"url":"[^"]+"/g) ?? [];
    assert.ok(buttons.length > 0 && buttons.every((b) => b.startsWith('"url":"https://cohort.example.test/course/')), buttons.join('\n'));
    const health = await fetch(`http://127.0.0.1:${app.httpPort}/health`);
    assert.equal(health.status, 200);
    app.stop();
    await app.done;
    await fake.close();
  });

  it('after a pass found by the GitHub sync, the learner’s Slack Home tab shows it', async () => {
    const slack = await FakeSlack.start();
    const github = await FakeGithub.start();
    starterRepo(github, course, 'ada/rust-course');
    const databasePath = path.join(tempDir(), 'slack-home.db');
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      GITHUB_TOKEN: github.token,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_WEBHOOK_SECRET: HOOK_SECRET,
      PORT: '0',
      PUBLIC_URL: 'https://cohort.example.test',
      DATABASE_PATH: databasePath,
      LOG_LEVEL: 'silent',
    });
    const app = await startApp(config, { input: new PassThrough(), output: new PassThrough(), httpHost: '127.0.0.1', githubTuning: { webhookDelayMs: 50 } });
    const events = `http://127.0.0.1:${app.httpPort}/slack/events`;
    const slash = async (command: string, text: string, user: { id: string; name: string } = SLACK_ADMIN) => {
      const { body } = slack.slashCommand({ command, text, user });
      return JSON.stringify(await (await fetch(events, { method: 'POST', body, headers: signSlackRequest(SECRET, body) })).json());
    };
    assert.match(await slash('/cohort-bot', 'cohort create name=Winter start=2026-11-02 timezone=UTC'), /Cohort Winter is set up/);
    assert.match(await slash('/cohort-bot', 'join', SLACK_MEMBER), /Welcome to Winter/);
    const store = openStore(databasePath);
    const cohort = store.cohorts.findByChannel('slack', FAKE_TEAM.teamId, FAKE_TEAM.channelId)!;
    store.learners.linkGithub(store.learners.find(cohort.id, SLACK_MEMBER.id)!.id, 'ada', 'ada/rust-course', new Date());

    const opened = slack.appHomeOpened({ user: SLACK_MEMBER });
    const first = once(slack, 'viewPublished');
    await fetch(events, { method: 'POST', body: opened, headers: signSlackJsonRequest(SECRET, opened) });
    await first;
    assert.doesNotMatch(JSON.stringify(slack.homeViews.get(SLACK_MEMBER.id)?.blocks), /▰/);

    const exercise = course.modules[0]!.exercises[0]!;
    runChecks(github, 'ada/rust-course', [exercise.check]);
    const republished = once(slack, 'viewPublished');
    const hook = await sendGithubWebhook(`http://127.0.0.1:${app.httpPort}/github/webhook`, {
      event: 'check_run',
      payload: { action: 'completed', repository: { full_name: 'ada/rust-course', default_branch: 'main' } },
      secret: HOOK_SECRET,
    });
    assert.equal(hook.status, 202);
    await republished;
    assert.match(JSON.stringify(slack.homeViews.get(SLACK_MEMBER.id)?.blocks), /▰▱ 1\/2` Module 01/);
    store.close();
    app.stop();
    await app.done;
    await github.close();
    await slack.close();
  });

  it('in Socket Mode serves HTTP only when PORT or PUBLIC_URL is set: the probes, or the course pages', async () => {
    const fake = await FakeSlack.start();
    const base = { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'silent' };
    const io = { input: new PassThrough(), output: new PassThrough(), httpHost: '127.0.0.1' };
    const withContent = await startApp(loadConfig({ ...base, CONTENT_BASE_URL: 'https://example.test/content', DATABASE_PATH: path.join(tempDir(), 'socket1.db') }), io);
    assert.equal(withContent.httpPort, undefined, 'nothing needs a port');
    withContent.stop();
    await withContent.done;

    const withPort = await startApp(loadConfig({ ...base, PORT: '0', CONTENT_BASE_URL: 'https://example.test/content', DATABASE_PATH: path.join(tempDir(), 'socket3.db') }), io);
    assert.ok(withPort.httpPort, 'PORT set: health, readiness and metrics are served');
    const ready = await fetch(`http://127.0.0.1:${withPort.httpPort}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [200, { ready: true }], 'the socket is connected');
    withPort.stop();
    await withPort.done;

    const withPublic = await startApp(loadConfig({ ...base, PORT: '0', PUBLIC_URL: 'https://cohort.example.test', DATABASE_PATH: path.join(tempDir(), 'socket2.db') }), io);
    assert.ok(withPublic.httpPort);
    assert.equal((await fetch(`http://127.0.0.1:${withPublic.httpPort}/health`)).status, 200);
    withPublic.stop();
    await withPublic.done;
    await fake.close();
  });

  it('npm start with a revoked Slack token prints one line saying what to fix and exits 2', async () => {
    const fake = await FakeSlack.start('xoxb-the-real-one');
    const child = spawn('npm', ['start'], {
      cwd: REPO,
      env: {
        ...cleanEnv(),
        SLACK_BOT_TOKEN: 'xoxb-revoked-value',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.apiUrl,
        DATABASE_PATH: path.join(tempDir(), 'revoked.db'),
        CONTENT_BASE_URL: 'https://example.test/content',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(child, 'close')) as [number];
    await fake.close();
    assert.equal(code, 2);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0] ?? '', /^cohort-bot: Slack setup error: Slack refused SLACK_BOT_TOKEN/);
    assert.doesNotMatch(stderr, /xoxb-revoked-value/);
  });

  it('npm run slack:manifest writes the app command and every short command but Slack’s built-ins, with Socket Mode on', async () => {
    const manifest = await writeManifest({});
    const commands = await loadCommands();
    const listed = manifest.features.slash_commands.map((c) => c.command);
    assert.deepEqual(listed, ['/cohort-bot', ...commands.filter((c) => !SLACK_BUILT_IN_COMMANDS.has(c.name)).map((c) => `/${c.name}`)]);
    assert.ok(!listed.includes('/join'), '/join is Slack’s own: /cohort-bot join reaches ours');
    assert.ok(manifest.features.slash_commands.every((c) => c.should_escape && c.url === undefined));
    assert.equal(manifest.features.app_home.messages_tab_enabled, true, 'direct messages have somewhere to appear');
    assert.equal(manifest.features.app_home.home_tab_enabled, true);
    assert.deepEqual(manifest.oauth_config.scopes.bot, ['commands', 'chat:write', 'chat:write.public', 'users:read', 'channels:history', 'groups:history', 'im:history', 'im:write', 'files:write']);
    assert.equal(manifest.settings.socket_mode_enabled, true);
  });

  it('npm run slack:manifest with PUBLIC_URL, SLACK_COMMAND and SLACK_COMMAND_PREFIX writes an HTTP-mode manifest under those names', async () => {
    const manifest = await writeManifest({ PUBLIC_URL: 'https://cohort.example.test/', SLACK_COMMAND: 'rust', SLACK_COMMAND_PREFIX: 'rust-' });
    const commands = await loadCommands();
    assert.deepEqual(manifest.features.slash_commands.map((c) => c.command), ['/rust', ...commands.map((c) => `/rust-${c.name}`)]);
    assert.ok(manifest.features.slash_commands.every((c) => c.url === 'https://cohort.example.test/slack/events'));
    assert.equal(manifest.settings.socket_mode_enabled, false);
    assert.equal(manifest.settings.interactivity.request_url, 'https://cohort.example.test/slack/events');
  });

  it('npm run slack:manifest refuses SLACK_COMMAND=/remind in one line', async () => {
    const child = spawn('npm', ['run', '-s', 'slack:manifest', '--', path.join(tempDir(), 'm.json')], { cwd: REPO, env: { ...cleanEnv(), SLACK_COMMAND: '/remind' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 2);
    assert.match(stderr, /^configuration error: SLACK_COMMAND is "\/remind"; expected a slash command name that is not one of Slack's built-ins/);
  });
});
