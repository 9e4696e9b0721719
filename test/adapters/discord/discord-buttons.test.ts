import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.ts';
import type { Services } from '../../../src/chat/context.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry } from '../../../src/chat/registry.ts';
import { assignmentReply } from '../../../src/chat/views/assignment.ts';
import type { Cohort } from '../../../src/core/cohort.ts';
import { moduleWindows } from '../../../src/core/schedule.ts';
import type { Store } from '../../../src/store/store.ts';
import { FakeDiscord, FAKE_IDS, MEMBER, ORGANISER } from '../../fakes/discord/fake-discord.ts';
import { slowCommand } from '../../helpers/slow-command.ts';
import { testServices } from '../../helpers/test-services.ts';

const EPHEMERAL = 64;
const NOW = new Date('2026-12-10T12:00:00Z');
const OTHER = { id: '1100000000000000003', username: 'olive', permissions: '2048' };

const slow = slowCommand('slow', { title: 'Finally', private: false });

type Data = { flags?: number; embeds?: { title?: string; description?: string }[]; components?: { components: { custom_id: string; label: string }[] }[] };

describe('Discord buttons', { timeout: 60_000 }, () => {
  let fake: FakeDiscord;
  let adapter: DiscordAdapter;
  let services: Services;
  let store: Store;
  let cohort: Cohort;

  before(async () => {
    fake = await FakeDiscord.start();
    const env = await testServices(NOW);
    services = env.services;
    store = env.store;
    adapter = createDiscordAdapter({
      config: { token: fake.token, applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, apiUrl: fake.apiUrl },
      registry: createRegistry([...(await loadCommands()), slow]),
      services,
      logger: services.logger,
      deferAfterMs: 40,
    });
    await adapter.start();
    cohort = store.cohorts.create(
      { platform: 'discord', workspaceId: FAKE_IDS.guildId, channelId: FAKE_IDS.channelId, name: 'Winter', startDate: '2026-12-07', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' },
      NOW,
    );
    store.learners.join(cohort.id, MEMBER.id, MEMBER.username, NOW);
  });

  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  async function click(user: typeof MEMBER, customId: string, responses = 1): Promise<{ kind: string; body: { type?: number; data?: Data } }[]> {
    return (await fake.responsesFor(fake.clickButton({ user, customId }), responses)) as { kind: string; body: { type?: number; data?: Data } }[];
  }

  it('sends the module post with "My next step" and "Leaderboard" buttons; a click answers only the clicker', async () => {
    const window = moduleWindows(services.course, cohort)[0]!;
    await adapter.deliver({ channelId: FAKE_IDS.channelId, payload: assignmentReply(window, cohort, services.links), key: 'post-1' });
    const posted = fake.channelMessages.at(-1)!.body as Data;
    assert.deepEqual(posted.components?.flatMap((row) => row.components.map((b) => [b.label, b.custom_id])), [
      ['My next step', 'run:next-module'],
      ['Leaderboard', 'run:leaderboard'],
    ]);
    const [mine] = await click(MEMBER, 'run:next-module');
    assert.equal(mine?.body.type, 4);
    assert.equal((mine?.body.data?.flags ?? 0) & EPHEMERAL, EPHEMERAL);
    assert.match(mine?.body.data?.embeds?.[0]?.title ?? '', /Next: Module 01 · Core Rust Fluency/);
    // The same button, someone else: their own answer, from who clicked, not from the button.
    const [theirs] = await click(OTHER, 'run:next-module');
    assert.match(theirs?.body.data?.embeds?.[0]?.description ?? '', /You have not joined yet/);
    assert.ok(theirs?.body.data?.components?.[0]?.components.some((b) => b.custom_id === 'run:join'), 'with a Join button');
  });

  it('a button runs with the typed command’s guards: a member cannot pause the cohort', async () => {
    const [answer] = await click(MEMBER, 'run:cohort:pause');
    assert.equal((answer?.body.data?.flags ?? 0) & EPHEMERAL, EPHEMERAL);
    assert.match(answer?.body.data?.embeds?.[0]?.description ?? '', /Only the cohort organisers can do that/);
    assert.equal(store.cohorts.findById(cohort.id)?.status, 'active');
    const [organiser] = await click(ORGANISER, 'run:cohort:status');
    assert.match(organiser?.body.data?.embeds?.[0]?.title ?? '', /Winter — active/);
  });

  it('a button id that names no command gets a polite private answer', async () => {
    const [answer] = await click(MEMBER, 'something-else');
    assert.equal((answer?.body.data?.flags ?? 0) & EPHEMERAL, EPHEMERAL);
    assert.match(answer?.body.data?.embeds?.[0]?.description ?? '', /That button does nothing any more/);
    const [unknown] = await click(MEMBER, 'run:nonsense');
    assert.match(unknown?.body.data?.embeds?.[0]?.description ?? '', /I don't know the command \/nonsense/);
  });

  it('/leaderboard offers "Show me" and /next-module "My progress", each running /progress', async () => {
    const [board] = (await fake.responsesFor(fake.sendInteraction({ user: MEMBER, command: 'leaderboard' }))) as { body: { data?: Data } }[];
    assert.deepEqual(board?.body.data?.components?.[0]?.components.map((b) => [b.label, b.custom_id]), [['Show me', 'run:progress']]);
    const [next] = (await fake.responsesFor(fake.sendInteraction({ user: MEMBER, command: 'next-module' }))) as { body: { data?: Data } }[];
    assert.deepEqual(next?.body.data?.components?.[0]?.components.map((b) => [b.label, b.custom_id]), [['My progress', 'run:progress']]);
    const [progress] = await click(MEMBER, 'run:progress');
    assert.match(progress?.body.data?.embeds?.[0]?.title ?? '', /ada's progress in Winter/);
  });

  it('help names commands as typed on Discord: /join is ours here', async () => {
    const [help] = (await fake.responsesFor(fake.sendInteraction({ user: MEMBER, command: 'help' }))) as { body: { data?: { embeds?: { fields?: { name: string }[]; footer?: { text: string } }[] } } }[];
    const embed = help?.body.data?.embeds?.[0];
    assert.ok(embed?.fields?.some((f) => f.name === '/join'));
    assert.doesNotMatch(JSON.stringify(help?.body), /cohort-bot join/);
  });

  it('a slow command behind a button is deferred privately and stays private, even one that speaks to the channel when typed', async () => {
    const before = fake.channelMessages.length;
    const [deferred, edit] = await click(MEMBER, 'run:slow', 2);
    assert.equal(deferred?.body.type, 5);
    assert.equal((deferred?.body.data?.flags ?? 0) & EPHEMERAL, EPHEMERAL);
    assert.equal(edit?.kind, 'edit');
    assert.match(JSON.stringify(edit?.body), /Finally/);
    assert.equal(fake.channelMessages.length, before, 'nothing posted to the channel');
  });
});
