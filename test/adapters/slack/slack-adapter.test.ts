import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/slack-adapter.ts';
import { SlackSetupError } from '../../../src/adapters/slack/setup-error.ts';
import { createWebServer, type WebServer } from '../../../src/adapters/web/web-server.ts';
import type { Services } from '../../../src/chat/context.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry } from '../../../src/chat/registry.ts';
import type { Store } from '../../../src/store/store.ts';
import { FAKE_TEAM, FakeSlack, signSlackRequest, SLACK_ADMIN, SLACK_MEMBER } from '../../fakes/slack/fake-slack.ts';
import { slowCommand } from '../../helpers/slow-command.ts';
import { testServices } from '../../helpers/test-services.ts';

const SECRET = 'fake-signing-secret-0123456789';
const NOW = new Date('2026-12-10T12:00:00Z');

const slow = slowCommand();

interface Ack {
  status: number;
  body: { response_type?: string; text?: string; blocks?: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
}

describe('Slack adapter against a fake Slack', { timeout: 60_000 }, () => {
  let fake: FakeSlack;
  let web: WebServer;
  let adapter: SlackAdapter;
  let services: Services;
  let store: Store;
  let logs: Awaited<ReturnType<typeof testServices>>['logs'];
  let base = '';

  before(async () => {
    fake = await FakeSlack.start();
    const env = await testServices(NOW);
    services = env.services;
    store = env.store;
    logs = env.logs;
    web = createWebServer(services.logger);
    adapter = createSlackAdapter({
      config: { botToken: fake.botToken, signingSecret: SECRET, appToken: undefined, apiUrl: fake.apiUrl },
      registry: createRegistry([...(await loadCommands()), slow]),
      services,
      logger: services.logger,
      web,
      ackAfterMs: 40,
    });
    await adapter.start();
    base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
  });

  after(async () => {
    await adapter.stop();
    await web.stop();
    await fake.close();
  });

  async function slash(command: string, text = '', user: { id: string; name: string } = SLACK_MEMBER, headers?: (body: string) => Record<string, string>): Promise<Ack & { responseId: string }> {
    const { body, responseId } = fake.slashCommand({ command, text, user });
    const response = await fetch(`${base}/slack/events`, { method: 'POST', body, headers: headers ? headers(body) : signSlackRequest(SECRET, body) });
    const raw = await response.text();
    return { status: response.status, body: raw ? (JSON.parse(raw) as Ack['body']) : {}, responseId };
  }

  const allText = (ack: Ack) => JSON.stringify(ack.body.blocks ?? []);

  it('answers /help in the ack, privately, as Block Kit with a text fallback', async () => {
    const ack = await slash('/help');
    assert.equal(ack.status, 200);
    assert.equal(ack.body.response_type, 'ephemeral');
    assert.equal(ack.body.blocks?.[0]?.type, 'header');
    assert.match(ack.body.text ?? '', /cohort-bot/);
    assert.match(allText(ack), /\/next-module/);
  });

  it('explains a channel without a cohort', async () => {
    const ack = await slash('/next-module');
    assert.match(allText(ack), /There is no cohort in this channel/);
    assert.equal(ack.body.response_type, 'ephemeral');
  });

  it('refuses /cohort create to a member and stores nothing', async () => {
    const ack = await slash('/cohort', 'create name=Winter start=2026-12-07 timezone=Europe/Berlin');
    assert.match(allText(ack), /Only the cohort organisers can do that/);
    assert.deepEqual(store.cohorts.listInWorkspace('slack', FAKE_TEAM.teamId), []);
  });

  it('shows the usage when options are wrong', async () => {
    assert.match(allText(await slash('/module')), /\/module needs module.*Usage: \/module &lt;module&gt;/);
    assert.match(allText(await slash('/cohort', 'create name=Winter', SLACK_ADMIN)), /\/cohort create needs start/);
    assert.match(allText(await slash('/cohort', 'launch', SLACK_ADMIN)), /\/cohort has no \\"launch\\"/);
  });

  it('lets a workspace admin create a cohort from command text with quotes and an escaped channel', async () => {
    const ack = await slash('/cohort', `create name="Winter 2026" start=2026-12-07 timezone=Europe/Berlin channel=<#${FAKE_TEAM.channelId}|rust-cohort> post-time="Tue 10:30"`, SLACK_ADMIN);
    assert.match(allText(ack), /Cohort Winter 2026 is set up/);
    const cohort = store.cohorts.findByChannel('slack', FAKE_TEAM.teamId, FAKE_TEAM.channelId);
    assert.deepEqual([cohort?.name, cohort?.postWeekday, cohort?.postTime, cohort?.timezone], ['Winter 2026', 2, '10:30', 'Europe/Berlin']);
  });

  it('answers every learner command in the cohort channel', async () => {
    assert.match(allText(await slash('/cohort-bot', 'join')), /Welcome to Winter 2026, ada!/);
    const next = await slash('/next-module');
    assert.match(allText(next), /Next: Module 01 · Core Rust Fluency/);
    assert.ok(next.body.blocks?.some((b) => b.type === 'actions'), 'lecture links as buttons');
    assert.match(allText(await slash('/module', 'kv-store')), /Module 03 · Log-Structured Key-Value Store/);
    assert.match(allText(await slash('/schedule')), /Winter 2026 — schedule/);
    assert.match(allText(await slash('/cohort', 'status', SLACK_ADMIN)), /Winter 2026 — active/);
  });

  it('refuses a bad signature and a replayed (stale) request with 401, changing nothing', async () => {
    const before = store.learners.listInCohort(store.cohorts.findByChannel('slack', FAKE_TEAM.teamId, FAKE_TEAM.channelId)!.id).length;
    const forged = await slash('/join', '', { id: 'U0INTRUDER', name: 'mallory' }, (body) => signSlackRequest('not-the-secret', body));
    assert.equal(forged.status, 401);
    const stale = await slash('/join', '', { id: 'U0REPLAY', name: 'eve' }, (body) => signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000) - 600));
    assert.equal(stale.status, 401);
    const cohort = store.cohorts.findByChannel('slack', FAKE_TEAM.teamId, FAKE_TEAM.channelId)!;
    assert.equal(store.learners.listInCohort(cohort.id).length, before);
    const refused = logs.lines().filter((line) => line.msg === 'a Slack request failed signature verification and was refused');
    assert.equal(refused.length, 2);
    assert.match(String(refused[0]?.hint), /SLACK_SIGNING_SECRET does not match the Signing Secret/);
  });

  it('acks slow work at once and answers through respond() afterwards', async () => {
    const ack = await slash('/slow');
    assert.deepEqual(ack.body, { response_type: 'ephemeral', text: 'Working on it…' });
    const later = await fake.responseFor(ack.responseId);
    assert.equal(later.replace_original, true);
    assert.match(JSON.stringify(later.blocks), /Finally/);
  });

  it('posts a channel message once after a 429, waiting out Retry-After', async () => {
    fake.rateLimitPostMessage(1, 1);
    const before = fake.posted.length;
    const ts = await adapter.deliver({ channelId: FAKE_TEAM.channelId, payload: { title: 'Module 01 starts now', private: false }, key: 'outbox-1' });
    assert.equal(fake.posted.length, before + 1);
    assert.equal(fake.posted.at(-1)?.ts, ts);
    assert.equal(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429).length, 1);
  });

  it('GIVEN the app lacks chat:write THEN delivery fails for good with the fix-it line', async () => {
    fake.missingScopes.set('chat.postMessage', 'chat:write');
    await assert.rejects(adapter.deliver({ channelId: FAKE_TEAM.channelId, payload: { title: 'x', private: false }, key: 'outbox-3' }), (error: unknown) => {
      assert.equal((error as Error).name, 'PermanentDeliveryError');
      assert.match((error as Error).message, /lacks the scope chat:write: regenerate the manifest/);
      return true;
    });
    fake.missingScopes.clear();
  });

  it('treats an unknown channel as a permanent failure', async () => {
    await assert.rejects(adapter.deliver({ channelId: 'C0NOWHERE', payload: { title: 'x', private: false }, key: 'outbox-2' }), { name: 'PermanentDeliveryError' });
  });

  it("sends a message for one learner to the app's direct messages with them", async () => {
    const ts = await adapter.deliver({ channelId: FAKE_TEAM.channelId, payload: { title: 'Your pass did not count', private: false }, key: 'outbox-4', recipientUserId: 'U0LEARNER' });
    assert.deepEqual([fake.posted.at(-1)?.channel, fake.posted.at(-1)?.ts], ['U0LEARNER', ts]);
    assert.match(fake.posted.at(-1)?.text ?? '', /Your pass did not count/);
  });
});

describe('Slack adapter in Socket Mode', { timeout: 30_000 }, () => {
  it('connects with the app token and answers slash commands in the envelope ack, no public URL needed', async () => {
    const fake = await FakeSlack.start();
    const { services } = await testServices(NOW);
    const adapter = createSlackAdapter({
      config: { botToken: fake.botToken, signingSecret: undefined, appToken: fake.appToken, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services,
      logger: services.logger,
      web: createWebServer(services.logger),
    });
    await adapter.start();
    const ack = await fake.socketSlashCommand({ command: '/module', text: 'redis' });
    assert.equal(ack?.response_type, 'ephemeral');
    assert.match(JSON.stringify(ack?.blocks), /Module 04 · Redis Clone/);
    assert.ok(fake.calls.some((c) => c.method === 'apps.connections.open'));
    await adapter.stop();
    await fake.close();
  });
});

describe('Slack adapter setup errors', { timeout: 30_000 }, () => {
  it('GIVEN a token Slack refuses THEN start fails with one line saying what to fix', async () => {
    const fake = await FakeSlack.start('xoxb-the-real-one');
    const { services } = await testServices(NOW);
    const adapter = createSlackAdapter({
      config: { botToken: 'xoxb-revoked', signingSecret: SECRET, appToken: undefined, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services,
      logger: services.logger,
      web: createWebServer(services.logger),
    });
    await assert.rejects(adapter.start(), (error: unknown) => {
      assert.ok(error instanceof SlackSetupError, String(error));
      assert.match(error.message, /Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/);
      assert.doesNotMatch(error.message, /xoxb-revoked/);
      return true;
    });
    await fake.close();
  });
});
