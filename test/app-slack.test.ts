import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { startApp } from '../src/app.ts';
import { loadCommands } from '../src/chat/load-commands.ts';
import { loadConfig } from '../src/config.ts';
import { FAKE_TEAM, FakeSlack, signSlackRequest, SLACK_ADMIN } from './fakes/slack/fake-slack.ts';
import { cleanEnv } from './helpers/clean-env.ts';
import { tempDir } from './helpers/temp-dir.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const SECRET = 'fake-signing-secret-0123456789';

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

  it('in Socket Mode serves HTTP only when PUBLIC_URL is set, so the course pages can be reached', async () => {
    const fake = await FakeSlack.start();
    const base = { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl, PORT: '0', LOG_LEVEL: 'silent' };
    const io = { input: new PassThrough(), output: new PassThrough(), httpHost: '127.0.0.1' };
    const withContent = await startApp(loadConfig({ ...base, CONTENT_BASE_URL: 'https://example.test/content', DATABASE_PATH: path.join(tempDir(), 'socket1.db') }), io);
    assert.equal(withContent.httpPort, undefined);
    withContent.stop();
    await withContent.done;

    const withPublic = await startApp(loadConfig({ ...base, PUBLIC_URL: 'https://cohort.example.test', DATABASE_PATH: path.join(tempDir(), 'socket2.db') }), io);
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

  it('npm run slack:manifest writes a manifest listing exactly the registry commands, with Socket Mode on', async () => {
    const file = path.join(tempDir(), 'manifest.json');
    const child = spawn('npm', ['run', '-s', 'slack:manifest', '--', file], { cwd: REPO, env: cleanEnv(), stdio: 'ignore' });
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 0);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
      features: { slash_commands: { command: string; should_escape: boolean }[]; app_home: { messages_tab_enabled: boolean } };
      oauth_config: { scopes: { bot: string[] } };
      settings: { socket_mode_enabled: boolean };
    };
    const commands = await loadCommands();
    assert.deepEqual(manifest.features.slash_commands.map((c) => c.command).sort(), commands.map((c) => `/${c.name}`).sort());
    assert.ok(manifest.features.slash_commands.every((c) => c.should_escape));
    assert.equal(manifest.features.app_home.messages_tab_enabled, true, 'direct messages have somewhere to appear');
    assert.deepEqual(manifest.oauth_config.scopes.bot, ['commands', 'chat:write', 'chat:write.public', 'users:read', 'channels:history', 'groups:history', 'im:history', 'im:write']);
    assert.equal(manifest.settings.socket_mode_enabled, true);
  });
});
