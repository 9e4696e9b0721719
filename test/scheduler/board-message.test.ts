import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDiscordAdapter } from '../../src/adapters/discord/discord-adapter.ts';
import { createSlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import { createWebServer } from '../../src/adapters/web/web-server.ts';
import { loadCommands } from '../../src/chat/load-commands.ts';
import { createRegistry } from '../../src/chat/registry.ts';
import { assignmentReply } from '../../src/chat/views/assignment.ts';
import { boardMessageReply } from '../../src/chat/views/leaderboard-lines.ts';
import type { Platform } from '../../src/core/cohort.ts';
import { createOutboxWorker, type Deliver } from '../../src/outbox/outbox-worker.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { FAKE_IDS, FakeDiscord } from '../fakes/discord/fake-discord.ts';
import { FAKE_TEAM, FakeSlack } from '../fakes/slack/fake-slack.ts';
import { pass } from '../helpers/cohort-fixture.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-20T12:00:00Z');

/** What a test needs of a platform: its deliverer, its messages as the channel shows them, and deleting one. */
interface Channel {
  deliver: Deliver;
  /** Messages posted in the cohort channel: id and text. */
  messages(): { id: string; text: string }[];
  edits(): number;
  remove(id: string): void;
  close(): Promise<void>;
}

const platforms: { platform: Platform; channelId: string; workspaceId: string; open(env: Awaited<ReturnType<typeof testServices>>): Promise<Channel> }[] = [
  {
    platform: 'discord',
    channelId: FAKE_IDS.channelId,
    workspaceId: FAKE_IDS.guildId,
    async open(env) {
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
        messages: () => fake.channelMessages.map((m) => ({ id: m.id, text: JSON.stringify(m.body.embeds) })).filter((m) => m.text.includes('leaderboard')),
        edits: () => fake.messageEdits.length,
        remove: (id) => fake.deleteMessage(id),
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
    async open(env) {
      const fake = await FakeSlack.start();
      const adapter = createSlackAdapter({
        config: { botToken: fake.botToken, signingSecret: 'secret-0123456789', appToken: undefined, apiUrl: fake.apiUrl },
        registry: createRegistry(await loadCommands()),
        services: env.services,
        logger: env.services.logger,
        web: createWebServer(env.services.logger),
        clientRetries: 0,
      });
      await adapter.start();
      return {
        deliver: adapter.deliver,
        messages: () =>
          ((fake.conversations.history({ channel: FAKE_TEAM.channelId, limit: 100 }).messages ?? []) as { ts: string; text: string }[]).map((m) => ({ id: m.ts, text: m.text })).filter((m) => m.text.includes('leaderboard')).reverse(),
        edits: () => fake.updates.length,
        remove: (ts) => fake.deleteMessage(FAKE_TEAM.channelId, ts),
        close: async () => {
          await adapter.stop();
          await fake.close();
        },
      };
    },
  },
];

for (const { platform, channelId, workspaceId, open } of platforms) {
  describe(`the self-updating board message on ${platform}`, { timeout: 60_000 }, () => {
    it('is posted once, edited after new passes (never re-posted), re-posted when deleted, and never doubled by a restart', async () => {
      const env = await testServices(NOW);
      const { store, services, registry } = env;
      const channel = await open(env);
      const cohort = store.cohorts.create(
        { platform, workspaceId, channelId, name: 'Winter', startDate: '2026-12-07', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' },
        NOW,
      );
      const ada = store.learners.join(cohort.id, 'UADA', 'Ada', NOW).learner;
      const bob = store.learners.join(cohort.id, 'UBOB', 'Bob', NOW).learner;
      const exercises = services.course.modules.flatMap((m) => m.exercises.map((e) => e.id));

      const start = () => {
        const db = store;
        const outbox = createOutboxWorker({ store: db, clock: services.clock, logger: services.logger, deliverers: { [platform]: channel.deliver } });
        const scheduler = createScheduler({
          store: db,
          course: services.course,
          clock: services.clock,
          logger: services.logger,
          render: (window, c) => assignmentReply(window, c, services.links),
          renderBoard: (board, c) => boardMessageReply(board, c, services.course),
          onPosted: () => outbox.wake(),
        });
        return { db, outbox, scheduler };
      };
      let run = start();
      const organiser = { id: 'UORG', displayName: 'Olga', isOrganiser: true };
      const posted = await registry.execute(invocation('cohort', 'board', { platform, workspaceId, channelId, user: organiser }), services);
      assert.match(posted.title ?? '', /Posting the Winter board/);
      await run.outbox.drain();
      assert.equal(channel.messages().length, 1);
      const first = channel.messages()[0]!;
      assert.equal(store.cohorts.board(cohort.id).messageId, first.id);
      assert.match(first.text, /Winter leaderboard/);

      // Nothing changed: the minute's check queues nothing.
      run.scheduler.tick();
      await run.outbox.drain();
      assert.deepEqual([channel.messages().length, channel.edits()], [1, 0]);
      const again = await registry.execute(invocation('cohort', 'board', { platform, workspaceId, channelId, user: organiser }), services);
      assert.match(again.title ?? '', /already has its board message/);

      // Passes arrive: one edit of the same message, whatever their number.
      pass(store, ada.id, exercises.slice(0, 3), NOW);
      pass(store, bob.id, exercises.slice(0, 1), NOW);
      run.scheduler.tick();
      await run.outbox.drain();
      assert.deepEqual([channel.messages().length, channel.edits()], [1, 1]);
      assert.match(channel.messages()[0]!.text, /Ada/);

      // A restart on the same database: still one board, and the next change edits it.
      run.scheduler.stop();
      await run.outbox.stop();
      run = start();
      run.scheduler.tick();
      await run.outbox.drain();
      assert.deepEqual([channel.messages().length, channel.edits()], [1, 1]);
      pass(store, bob.id, exercises.slice(1, 4), NOW);
      run.scheduler.tick();
      await run.outbox.drain();
      assert.deepEqual([channel.messages().length, channel.edits()], [1, 2]);

      // Someone deleted it: the next update posts a new one and remembers it.
      channel.remove(first.id);
      pass(store, ada.id, exercises.slice(3, 5), NOW);
      run.scheduler.tick();
      await run.outbox.drain();
      const now = channel.messages().filter((m) => m.id !== first.id);
      assert.equal(now.length, 1);
      assert.equal(store.cohorts.board(cohort.id).messageId, now[0]!.id);
      pass(store, bob.id, exercises.slice(4, 6), NOW);
      run.scheduler.tick();
      await run.outbox.drain();
      assert.equal(channel.messages().filter((m) => m.id !== first.id).length, 1, 'edited, not posted again');

      // Off: the message stays, and no longer changes.
      await registry.execute(invocation('cohort', 'board off', { platform, workspaceId, channelId, user: organiser }), services);
      const edits = channel.edits();
      pass(store, bob.id, exercises.slice(6, 8), NOW);
      run.scheduler.tick();
      await run.outbox.drain();
      assert.equal(channel.edits(), edits);
      run.scheduler.stop();
      await run.outbox.stop();
      await channel.close();
    });
  });
}
