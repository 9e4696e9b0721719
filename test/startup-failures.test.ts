import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeSlack } from './fakes/slack/fake-slack.ts';
import { cleanEnv } from './helpers/clean-env.ts';
import { freePort } from './helpers/free-port.ts';
import { tempDir } from './helpers/temp-dir.ts';

const REPO = path.resolve(import.meta.dirname, '..');

/** `npm start` with these variables: its exit code and what it printed on stderr. */
async function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...cleanEnv(), DATABASE_PATH: path.join(tempDir(), 'bot.db'), CONTENT_BASE_URL: 'https://example.test/content', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const [code] = (await once(child, 'close')) as [number];
  return { code, stderr };
}

/** The operator's line is the last one, and nothing printed is a stack trace or carries a secret. */
function assertOneLineFailure({ code, stderr }: { code: number; stderr: string }, expected: RegExp, secrets: string[]): void {
  assert.equal(code, 2, stderr);
  const lines = stderr.trim().split('\n');
  assert.match(lines.at(-1) ?? '', expected, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  for (const secret of secrets) assert.ok(!stderr.includes(secret), `stderr shows ${secret}`);
}

describe('start-up failures an operator can fix end in one line and exit code 2', { timeout: 60_000 }, () => {
  it('Slack unreachable (nothing listens at SLACK_API_URL)', async () => {
    const closed = await freePort();
    const run = await start({ SLACK_BOT_TOKEN: 'xoxb-unreached-secret', SLACK_SIGNING_SECRET: 'signing-unreached', SLACK_API_URL: `http://127.0.0.1:${closed}/api/`, PORT: '0' });
    assertOneLineFailure(run, /^cohort-bot: Slack setup error: could not reach Slack's Web API \(ECONNREFUSED\): .*SLACK_API_URL/, ['xoxb-unreached-secret', 'signing-unreached']);
  });

  it('a wrong Slack app-level token in Socket Mode names SLACK_APP_TOKEN, not the bot token', async () => {
    const fake = await FakeSlack.start('xoxb-right-bot', 'xapp-the-real-one');
    try {
      const run = await start({ SLACK_BOT_TOKEN: 'xoxb-right-bot', SLACK_APP_TOKEN: 'xapp-wrong-secret-value', SLACK_API_URL: fake.apiUrl });
      assertOneLineFailure(run, /^cohort-bot: Slack setup error: Slack refused SLACK_APP_TOKEN \(invalid_auth\): copy an app-level token/, ['xapp-wrong-secret-value', 'xoxb-right-bot']);
    } finally {
      await fake.close();
    }
  });

  it('Discord unreachable (nothing listens at DISCORD_API_URL)', async () => {
    const closed = await freePort();
    const run = await start({ DISCORD_TOKEN: 'discord-unreached-secret', DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_API_URL: `http://127.0.0.1:${closed}/api` });
    assertOneLineFailure(run, /^cohort-bot: Discord setup error: could not reach Discord's API \(ECONNREFUSED\): .*DISCORD_API_URL/, ['discord-unreached-secret']);
  });

  it('Discord unreachable by name (DNS fails)', async () => {
    const run = await start({ DISCORD_TOKEN: 'discord-dns-secret', DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_API_URL: 'http://discord.invalid/api' });
    assertOneLineFailure(run, /^cohort-bot: Discord setup error: could not reach Discord's API \((ENOTFOUND|EAI_AGAIN)\)/, ['discord-dns-secret']);
  });
});
