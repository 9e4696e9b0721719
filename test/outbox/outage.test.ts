import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDiscordAdapter } from '../../src/adapters/discord/discord-adapter.ts';
import { createSlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import { createWebServer } from '../../src/adapters/web/web-server.ts';
import { loadCommands } from '../../src/chat/load-commands.ts';
import { createRegistry } from '../../src/chat/registry.ts';
import type { Platform } from '../../src/core/cohort.ts';
import { createOutboxWorker, type Deliver } from '../../src/outbox/outbox-worker.ts';
import { FAKE_IDS, FakeDiscord } from '../fakes/discord/fake-discord.ts';
import { FAKE_TEAM, FakeSlack } from '../fakes/slack/fake-slack.ts';
import { testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const MINUTE = 60_000;
const OUTAGE_MS = 2 * 3600_000;

interface Platformed {
  platform: Platform;
  channelId: string;
  workspaceId: string;
  start(env: Awaited<ReturnType<typeof testServices>>): Promise<{ deliver: Deliver; outage(on: boolean): void; posted(): string[]; close(): Promise<void> }>;
}

const platforms: Platformed[] = [
  {
    platform: 'discord',
    channelId: FAKE_IDS.channelId,
    workspaceId: FAKE_IDS.guildId,
    async start(env) {
      const fake = await FakeDiscord.start();
      const adapter = createDiscordAdapter({
        config: { token: fake.token, applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, apiUrl: fake.apiUrl },
        registry: createRegistry(await loadCommands()),
        services: env.services,
        logger: env.services.logger,
      });
      await adapter.start();
      return {
        deliver: adapter.deliver,
        outage: (on) => (fake.outage = on),
        posted: () => fake.channelMessages.map((m) => JSON.stringify(m.body.embeds)),
        close: async () => {
          await adapter.stop();
          await fake.close();
        },
      };
    },
  },
  {
    platform: 'slack',
    channelId: FAKE_TEAM.channelId,
    workspaceId: FAKE_TEAM.teamId,
    async start(env) {
      const fake = await FakeSlack.start();
      const adapter = createSlackAdapter({
        config: { botToken: fake.botToken, signingSecret: 'fake-signing-secret-0123456789', appToken: undefined, apiUrl: fake.apiUrl },
        registry: createRegistry(await loadCommands()),
        services: env.services,
        logger: env.services.logger,
        web: createWebServer(env.services.logger),
        clientRetries: 0,
      });
      await adapter.start();
      return {
        deliver: adapter.deliver,
        outage: (on) => (fake.outage = on),
        posted: () => fake.posted.map((p) => p.text),
        close: async () => {
          await adapter.stop();
          await fake.close();
        },
      };
    },
  },
];

describe('the outbox through a two-hour platform outage', { timeout: 120_000 }, () => {
  for (const target of platforms) {
    it(`${target.platform}: retries with capped backoff for the whole outage and then delivers every message exactly once`, async () => {
      const env = await testServices(NOW);
      const { store, clock } = env;
      const cohort = store.cohorts.create(
        { platform: target.platform, workspaceId: target.workspaceId, channelId: target.channelId, name: 'Outage cohort', startDate: '2026-12-07', timezone: 'UTC', postWeekday: 1, postTime: '09:00' },
        NOW,
      );
      const platform = await target.start(env);
      const worker = createOutboxWorker({ store, clock, logger: env.services.logger, deliverers: { [target.platform]: platform.deliver } });
      const titles = ['Module 02 starts now', '🎉 ada passed LRU cache', '🎉 bob passed Config CLI'];
      platform.outage(true);
      const ids = titles.map((title, i) => store.outbox.enqueue(cohort.id, i === 0 ? 'assignment' : 'celebration', { title, private: false }, NOW));

      // Two hours of simulated time, a delivery round each minute as the worker's timer would run one.
      for (let at = 0; at <= OUTAGE_MS; at += MINUTE) {
        clock.set(new Date(NOW.getTime() + at));
        await worker.drain();
      }
      for (const id of ids) {
        const message = store.outbox.find(id);
        assert.equal(message?.status, 'pending', 'still waiting after two hours, not given up');
        // Doubling from 2 s and capped at 5 minutes: about 30 attempts in two hours, not one a minute and not 8.
        assert.ok(message && message.attempts >= 20 && message.attempts <= 40, `attempts: ${message?.attempts}`);
      }
      assert.equal(platform.posted().length, 0);

      platform.outage(false);
      clock.set(new Date(NOW.getTime() + OUTAGE_MS + 5 * MINUTE));
      await worker.drain();
      clock.set(new Date(NOW.getTime() + OUTAGE_MS + 10 * MINUTE));
      await worker.drain();
      assert.deepEqual(ids.map((id) => store.outbox.find(id)?.status), ['sent', 'sent', 'sent']);
      const posted = platform.posted();
      assert.equal(posted.length, titles.length, posted.join('\n'));
      for (const title of titles) assert.equal(posted.filter((p) => p.includes(title)).length, 1, `${title} once`);
      await platform.close();
    });
  }
});
