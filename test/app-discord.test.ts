import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { startApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { FakeDiscord, FAKE_IDS, ORGANISER } from './fakes/discord/fake-discord.ts';
import { cleanEnv } from './helpers/clean-env.ts';
import { tempDir } from './helpers/temp-dir.ts';

const REPO = path.resolve(import.meta.dirname, '..');

describe('the app on Discord', { timeout: 60_000 }, () => {
  it('starts with a Discord token, takes /cohort commands and delivers post-now through the outbox to the channel', async () => {
    const fake = await FakeDiscord.start();
    const config = loadConfig({
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
      DISCORD_GUILD_ID: FAKE_IDS.guildId,
      DISCORD_API_URL: fake.apiUrl,
      DATABASE_PATH: path.join(tempDir(), 'discord.db'),
      CONTENT_BASE_URL: 'https://example.test/content',
      LOG_LEVEL: 'silent',
    });
    const app = await startApp(config, { input: new PassThrough(), output: new PassThrough() });
    assert.equal(fake.registrations.length, 1);

    const create = fake.sendInteraction({
      user: ORGANISER,
      command: 'cohort',
      subcommand: 'create',
      options: [
        { name: 'name', value: 'Winter' },
        { name: 'start', value: '2026-11-02' },
        { name: 'timezone', value: 'Europe/Berlin' },
      ],
    });
    await fake.responsesFor(create);
    const posted = once(fake, 'channelMessage');
    await fake.responsesFor(fake.sendInteraction({ user: ORGANISER, command: 'cohort', subcommand: 'post-now' }));
    await posted;
    const message = fake.channelMessages.at(-1);
    assert.equal(message?.channelId, FAKE_IDS.channelId);
    assert.match(String((message?.body.embeds as { title: string }[])[0]?.title), /^Module \d\d · .* starts now$/);
    assert.match(String(message?.body.nonce), /^outbox-\d+$/);

    app.stop();
    await app.done;
    await fake.close();
  });

  it('npm run discord:register registers the registry through the fake and says where', async () => {
    const fake = await FakeDiscord.start();
    const child = spawn('npm', ['run', '-s', 'discord:register'], {
      cwd: REPO,
      env: {
        ...cleanEnv(),
        DISCORD_TOKEN: fake.token,
        DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
        DISCORD_GUILD_ID: FAKE_IDS.guildId,
        DISCORD_API_URL: fake.apiUrl,
        CONTENT_BASE_URL: 'https://example.test/content',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    const [code] = (await once(child, 'close')) as [number];
    await fake.close();
    assert.equal(code, 0);
    assert.equal(fake.registrations.length, 1);
    assert.equal(fake.registrations[0]?.path, `/applications/${FAKE_IDS.applicationId}/guilds/${FAKE_IDS.guildId}/commands`);
    assert.match(stdout, /^Registered \d+ commands for server 1200000000000000001 \(visible now\): \/buddy \/cohort \/help/);
  });

  it('npm start with a revoked token prints one line saying what to fix and exits 2', async () => {
    const fake = await FakeDiscord.start('the-real-token');
    const child = spawn('npm', ['start'], {
      cwd: REPO,
      env: {
        ...cleanEnv(),
        DISCORD_TOKEN: 'revoked-token-value',
        DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
        DISCORD_API_URL: fake.apiUrl,
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
    assert.match(lines[0] ?? '', /^cohort-bot: Discord setup error: Discord refused DISCORD_TOKEN/);
    assert.doesNotMatch(stderr, /revoked-token-value/);
  });

  it('npm start with Discord but neither PUBLIC_URL nor CONTENT_BASE_URL prints one line naming both and exits 2', async () => {
    const child = spawn('npm', ['start'], {
      cwd: REPO,
      env: { ...cleanEnv(), DISCORD_TOKEN: 'a-token-value', DISCORD_APPLICATION_ID: FAKE_IDS.applicationId, DATABASE_PATH: path.join(tempDir(), 'nolinks.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 2);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0] ?? '', /^cohort-bot: configuration error: neither PUBLIC_URL nor CONTENT_BASE_URL is set; with Discord on, .*set PUBLIC_URL .* or CONTENT_BASE_URL /);
    assert.doesNotMatch(stderr, /a-token-value/);
  });
});
