import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.ts';
import { DiscordSetupError } from '../../../src/adapters/discord/setup-error.ts';
import { commandPayloads } from '../../../src/adapters/discord/command-payloads.ts';
import type { Services } from '../../../src/chat/context.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry, type Registry } from '../../../src/chat/registry.ts';
import type { Store } from '../../../src/store/store.ts';
import { FakeDiscord, FAKE_IDS, MEMBER, ORGANISER } from '../../fakes/discord/fake-discord.ts';
import { OPTION_TYPE } from '../../fakes/discord/payloads.ts';
import { slowCommand } from '../../helpers/slow-command.ts';
import { testServices } from '../../helpers/test-services.ts';

const EPHEMERAL = 64;
const NOW = new Date('2026-12-10T12:00:00Z');

const slow = slowCommand();
const slowPublic = slowCommand('slow-public', { title: 'Hello channel', private: false });

describe('Discord adapter against a fake Discord', { timeout: 60_000 }, () => {
  let fake: FakeDiscord;
  let adapter: DiscordAdapter;
  let registry: Registry;
  let services: Services;
  let store: Store;

  before(async () => {
    fake = await FakeDiscord.start();
    const env = await testServices(NOW);
    services = env.services;
    store = env.store;
    registry = createRegistry([...(await loadCommands()), slow, slowPublic]);
    adapter = createDiscordAdapter({
      config: { token: fake.token, applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, apiUrl: fake.apiUrl },
      registry,
      services,
      logger: services.logger,
      deferAfterMs: 40,
    });
    await adapter.start();
  });

  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  async function ask(input: Parameters<FakeDiscord['sendInteraction']>[0], responses = 1) {
    const token = fake.sendInteraction(input);
    return fake.responsesFor(token, responses);
  }

  it('registers exactly the registry, guild-scoped, at start', () => {
    assert.equal(fake.registrations.length, 1);
    assert.equal(fake.registrations[0]?.path, `/applications/${FAKE_IDS.applicationId}/guilds/${FAKE_IDS.guildId}/commands`);
    assert.deepEqual(fake.registrations[0]?.body, JSON.parse(JSON.stringify(commandPayloads(registry.list()))));
  });

  it('answers /help with an ephemeral embed listing the commands', async () => {
    const [callback] = await ask({ user: MEMBER, command: 'help' });
    assert.equal(callback?.body.type, 4);
    const data = callback?.body.data as { flags: number; embeds: { title: string; fields: { name: string }[] }[] };
    assert.equal(data.flags & EPHEMERAL, EPHEMERAL);
    assert.match(data.embeds[0]?.title ?? '', /cohort-bot/);
    assert.ok(data.embeds[0]?.fields.some((f) => f.name === '/next-module'));
  });

  it('refuses organiser commands to a plain member, and stores nothing', async () => {
    const [callback] = await ask({
      user: MEMBER,
      command: 'cohort',
      subcommand: 'create',
      options: [
        { name: 'name', value: 'Sneaky' },
        { name: 'start', value: '2026-12-07' },
        { name: 'timezone', value: 'Europe/Berlin' },
      ],
    });
    const data = callback?.body.data as { flags: number; embeds: { description: string }[] };
    assert.equal(data.flags & EPHEMERAL, EPHEMERAL);
    assert.match(data.embeds[0]?.description ?? '', /Only the cohort organisers can do that/);
    assert.deepEqual(store.cohorts.listInWorkspace('discord', FAKE_IDS.guildId), []);
  });

  it('lets an organiser create a cohort for a channel, then a member joins and gets their next module', async () => {
    const [created] = await ask({
      user: ORGANISER,
      command: 'cohort',
      subcommand: 'create',
      options: [
        { name: 'name', value: 'Winter' },
        { name: 'start', value: '2026-12-07' },
        { name: 'timezone', value: 'Europe/Berlin' },
        { name: 'channel', value: FAKE_IDS.channelId, type: OPTION_TYPE.channel },
        { name: 'post-time', value: 'Mon 09:00' },
      ],
    });
    assert.match(JSON.stringify(created?.body), /Cohort Winter is set up/);
    const cohort = store.cohorts.findByChannel('discord', FAKE_IDS.guildId, FAKE_IDS.channelId);
    assert.equal(cohort?.timezone, 'Europe/Berlin');

    await ask({ user: MEMBER, command: 'join' });
    assert.equal(store.learners.find(cohort!.id, MEMBER.id)?.displayName, MEMBER.username);
    const [next] = await ask({ user: MEMBER, command: 'next-module' });
    const embed = (next?.body.data as { embeds: { title: string; fields: { name: string; value: string }[] }[] }).embeds[0];
    assert.equal(embed?.title, 'Next: Module 01 · Core Rust Fluency');
    assert.match(embed?.fields.find((f) => f.name === 'Links')?.value ?? '', /^\[Lecture 1: Ownership, moves and borrowing\]\(https:\/\/example\.test\/content\/modules\/module-01-core-rust\/lectures\/01-ownership-and-borrowing\.md\)/);
  });

  it('answers /module with typed options and /schedule in the cohort channel', async () => {
    const [module] = await ask({ user: MEMBER, command: 'module', options: [{ name: 'module', value: 'redis-clone' }] });
    assert.match(JSON.stringify(module?.body), /Module 04 · Redis Clone/);
    const [schedule] = await ask({ user: MEMBER, command: 'schedule' });
    assert.match(JSON.stringify(schedule?.body), /Winter — schedule/);
  });

  it('lets an organiser see the status, pause and resume the cohort of the channel', async () => {
    const cohort = store.cohorts.findByChannel('discord', FAKE_IDS.guildId, FAKE_IDS.channelId);
    assert.ok(cohort);
    const [status] = await ask({ user: ORGANISER, command: 'cohort', subcommand: 'status' });
    assert.match(JSON.stringify(status?.body), /Winter — active/);
    assert.match(JSON.stringify(status?.body), /"name":"Learners","value":"1 \(0 linked a repo\)"/);
    await ask({ user: ORGANISER, command: 'cohort', subcommand: 'pause' });
    assert.equal(store.cohorts.findById(cohort.id)?.status, 'paused');
    const [member] = await ask({ user: MEMBER, command: 'cohort', subcommand: 'resume' });
    assert.match(JSON.stringify(member?.body), /Only the cohort organisers/);
    assert.equal(store.cohorts.findById(cohort.id)?.status, 'paused');
    await ask({ user: ORGANISER, command: 'cohort', subcommand: 'resume' });
    assert.equal(store.cohorts.findById(cohort.id)?.status, 'active');
  });

  it('autocompletes module names', async () => {
    const [callback] = await ask({ user: MEMBER, command: 'module', options: [{ name: 'module', value: 'redis', focused: true }], autocomplete: true });
    assert.deepEqual(callback?.body, { type: 8, data: { choices: [{ name: 'Module 04 · Redis Clone', value: 'redis-clone' }] } });
  });

  it('autocompletes timezones inside a subcommand', async () => {
    const [callback] = await ask({
      user: ORGANISER,
      command: 'cohort',
      subcommand: 'create',
      options: [{ name: 'timezone', value: 'berl', focused: true }],
      autocomplete: true,
    });
    assert.deepEqual(callback?.body, { type: 8, data: { choices: [{ name: 'Europe/Berlin', value: 'Europe/Berlin' }] } });
  });

  it('defers a slow answer inside the window, then edits the reply', async () => {
    const [deferred, edit] = await ask({ user: MEMBER, command: 'slow' }, 2);
    assert.deepEqual(deferred?.body, { type: 5, data: { flags: EPHEMERAL } });
    assert.equal(edit?.kind, 'edit');
    assert.equal((edit?.body as { embeds: { title: string }[] }).embeds[0]?.title, 'Finally');
  });

  it('sends a slow public answer as a follow-up, since a deferred reply stays private', async () => {
    const [, edit, followup] = await ask({ user: MEMBER, command: 'slow-public' }, 3);
    assert.equal(edit?.body.content, 'Posted in the channel.');
    assert.equal(followup?.kind, 'followup');
    assert.equal((followup?.body as { flags?: number }).flags ?? 0, 0);
  });

  it('resumes a dropped gateway session by itself and still answers', async () => {
    const identifies = fake.ops.filter((op) => op === 2).length;
    const resumed = fake.nextSession();
    fake.dropConnection(4000);
    await resumed;
    assert.equal(fake.ops.filter((op) => op === 6).length, 1, 'the client sent RESUME');
    assert.equal(fake.ops.filter((op) => op === 2).length, identifies, 'and did not identify again');
    const [callback] = await ask({ user: MEMBER, command: 'help' });
    assert.equal(callback?.body.type, 4);
  });

  it('delivers a channel message once after a 429, honouring retry-after', async () => {
    const before = fake.channelMessages.length;
    fake.rateLimitChannelMessages(1, 0.2);
    const id = await adapter.deliver({ channelId: FAKE_IDS.channelId, payload: { title: 'Module 01 starts now', private: false }, key: 'outbox-1' });
    assert.equal(fake.channelMessages.length, before + 1);
    assert.equal(fake.channelMessages.at(-1)?.id, id);
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/messages') && r.status === 429).length, 1);
  });

  it('does not post twice when the same outbox row is sent again (nonce)', async () => {
    const first = await adapter.deliver({ channelId: FAKE_IDS.channelId, payload: { title: 'Once', private: false }, key: 'outbox-77' });
    const again = await adapter.deliver({ channelId: FAKE_IDS.channelId, payload: { title: 'Once', private: false }, key: 'outbox-77' });
    assert.equal(again, first);
    assert.equal(fake.channelMessages.filter((m) => m.body.nonce === 'outbox-77').length, 1);
  });

  it('treats an unknown channel as a permanent failure', async () => {
    await assert.rejects(adapter.deliver({ channelId: '999', payload: { title: 'x', private: false }, key: 'outbox-2' }), { name: 'PermanentDeliveryError' });
  });

  it('sends a message for one learner as a direct message, and gives up for good when they accept none', async () => {
    const id = await adapter.deliver({ channelId: FAKE_IDS.channelId, payload: { title: 'Your pass did not count', private: false }, key: 'outbox-9', recipientUserId: MEMBER.id });
    const dm = fake.dmChannels.get(MEMBER.id);
    assert.ok(dm);
    const sent = fake.channelMessages.at(-1);
    assert.deepEqual([sent?.channelId, sent?.id], [dm, id]);
    assert.equal((sent?.body.embeds as { title?: string }[])[0]?.title, 'Your pass did not count');
    fake.closedDms.add(ORGANISER.id);
    await assert.rejects(adapter.deliver({ channelId: FAKE_IDS.channelId, payload: { title: 'x', private: false }, key: 'outbox-10', recipientUserId: ORGANISER.id }), { name: 'PermanentDeliveryError' });
  });
});

describe('Discord adapter setup errors', { timeout: 30_000 }, () => {
  it('GIVEN a token Discord refuses THEN start fails with one line telling the operator what to fix', async () => {
    const fake = await FakeDiscord.start('the-real-token');
    const { services } = await testServices(NOW);
    const adapter = createDiscordAdapter({
      config: { token: 'a-revoked-token', applicationId: FAKE_IDS.applicationId, guildId: undefined, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services,
      logger: services.logger,
    });
    await assert.rejects(adapter.start(), (error: unknown) => {
      assert.ok(error instanceof DiscordSetupError, String(error));
      assert.match(error.message, /Discord refused DISCORD_TOKEN/);
      assert.doesNotMatch(error.message, /a-revoked-token/);
      return true;
    });
    await fake.close();
  });

  for (const [closeCode, expected] of [
    [4014, /Discord refused the gateway intents/],
    [4004, /Discord refused DISCORD_TOKEN/],
  ] as const) {
    it(`GIVEN the gateway closes with ${closeCode} at IDENTIFY THEN start fails with the fix, not a hang`, async () => {
      const fake = await FakeDiscord.start();
      fake.identifyCloseCode = closeCode;
      const { services } = await testServices(NOW);
      const adapter = createDiscordAdapter({
        config: { token: fake.token, applicationId: FAKE_IDS.applicationId, guildId: undefined, apiUrl: fake.apiUrl },
        registry: createRegistry(await loadCommands()),
        services,
        logger: services.logger,
      });
      await assert.rejects(adapter.start(), (error: unknown) => error instanceof DiscordSetupError && expected.test(error.message));
      await fake.close();
    });
  }

  it('GIVEN no DISCORD_GUILD_ID THEN registers the commands globally', async () => {
    const fake = await FakeDiscord.start();
    const { services } = await testServices(NOW);
    const adapter = createDiscordAdapter({
      config: { token: fake.token, applicationId: FAKE_IDS.applicationId, guildId: undefined, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services,
      logger: services.logger,
    });
    await adapter.start();
    assert.deepEqual(fake.registrations.map((r) => r.path), [`/applications/${FAKE_IDS.applicationId}/commands`]);
    await adapter.stop();
    await fake.close();
  });

  it('GIVEN an application id Discord does not know THEN says which variable to fix', async () => {
    const fake = await FakeDiscord.start();
    const { services } = await testServices(NOW);
    const adapter = createDiscordAdapter({
      config: { token: fake.token, applicationId: '1399999999999999999', guildId: undefined, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services,
      logger: services.logger,
    });
    await assert.rejects(adapter.start(), /DISCORD_APPLICATION_ID/);
    await fake.close();
  });
});
