import assert from 'node:assert/strict';
import { once } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { startApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { FakeDiscord, FAKE_IDS, MEMBER, ORGANISER } from './fakes/discord/fake-discord.ts';
import { FakeSlack, signSlackRequest, SLACK_ADMIN, SLACK_MEMBER } from './fakes/slack/fake-slack.ts';
import { freePort } from './helpers/free-port.ts';
import { tempDir } from './helpers/temp-dir.ts';

/** Every URL in what a fake platform received. */
function linksIn(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/https?:\/\/[^\s"')\]<>|\\]+/g)].map((m) => m[0]);
}

async function assertAllOpen(links: readonly string[], publicUrl: string): Promise<void> {
  assert.ok(links.length > 0, 'the bot posted links');
  for (const link of new Set(links)) {
    assert.ok(link.startsWith(`${publicUrl}/`), `${link} is a page of the bot's site`);
    const response = await fetch(link);
    assert.equal(response.status, 200, link);
    await response.arrayBuffer();
  }
}

/**
 * Every link the bot posts in chat, taken from what the fake platforms received, opens: with PUBLIC_URL set they
 * are pages of the bot's own site, and each answers 200.
 */
describe('links the bot posts in chat', { timeout: 120_000 }, () => {
  it('on Discord: /next-module, /module, the assignment post and the published board all open', async () => {
    const fake = await FakeDiscord.start();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
      DISCORD_GUILD_ID: FAKE_IDS.guildId,
      DISCORD_API_URL: fake.apiUrl,
      DATABASE_PATH: path.join(tempDir(), 'links-discord.db'),
      PUBLIC_URL: publicUrl,
      PORT: String(port),
      LOG_LEVEL: 'silent',
    });
    const app = await startApp(config, { input: new PassThrough(), output: new PassThrough(), httpHost: '127.0.0.1' });
    const ask = async (user: typeof MEMBER, command: string, subcommand?: string, options: { name: string; value: string }[] = []) =>
      fake.responsesFor(fake.sendInteraction({ user, command, ...(subcommand ? { subcommand } : {}), options }));
    await ask(ORGANISER, 'cohort', 'create', [
      { name: 'name', value: 'Winter' },
      { name: 'start', value: '2026-11-02' },
      { name: 'timezone', value: 'Europe/Berlin' },
    ]);
    await ask(MEMBER, 'join');
    const answers = [
      ...(await ask(MEMBER, 'next-module')),
      ...(await ask(MEMBER, 'module', undefined, [{ name: 'module', value: '3' }])),
      ...(await ask(ORGANISER, 'cohort', 'publish', [{ name: 'board', value: 'on' }])),
    ];
    const posted = once(fake, 'channelMessage');
    await ask(ORGANISER, 'cohort', 'post-now');
    await posted;
    const links = [...linksIn(answers), ...linksIn(fake.channelMessages)];
    assert.ok(links.some((l) => l.includes('/cohorts/')), 'the board link is among them');
    await assertAllOpen(links, publicUrl);
    app.stop();
    await app.done;
    await fake.close();
  });

  it('on Slack: the same answers and the assignment post open', async () => {
    const fake = await FakeSlack.start();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const secret = 'fake-signing-secret-0123456789';
    const config = loadConfig({
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: fake.apiUrl,
      DATABASE_PATH: path.join(tempDir(), 'links-slack.db'),
      PUBLIC_URL: publicUrl,
      PORT: String(port),
      LOG_LEVEL: 'silent',
    });
    const app = await startApp(config, { input: new PassThrough(), output: new PassThrough(), httpHost: '127.0.0.1' });
    const slash = async (user: { id: string; name: string }, command: string, text = '') => {
      const { body } = fake.slashCommand({ command, text, user });
      const response = await fetch(`${publicUrl}/slack/events`, { method: 'POST', body, headers: signSlackRequest(secret, body) });
      return (await response.json()) as unknown;
    };
    await slash(SLACK_ADMIN, '/cohort', 'create name=Winter start=2026-11-02 timezone=UTC');
    await slash(SLACK_MEMBER, '/cohort-bot', 'join');
    const answers = [await slash(SLACK_MEMBER, '/next-module'), await slash(SLACK_MEMBER, '/module', '3'), await slash(SLACK_ADMIN, '/cohort', 'publish on')];
    const posted = once(fake, 'posted');
    await slash(SLACK_ADMIN, '/cohort', 'post-now');
    await posted;
    await assertAllOpen([...linksIn(answers), ...linksIn(fake.posted)], publicUrl);
    app.stop();
    await app.done;
    await fake.close();
  });
});
