import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/slack-adapter.ts';
import { createWebServer } from '../../../src/adapters/web/web-server.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry } from '../../../src/chat/registry.ts';
import { FAKE_TEAM, FakeSlack } from '../../fakes/slack/fake-slack.ts';
import { FaultPlan } from '../../fakes/fault-plan.ts';
import { PermanentDeliveryError } from '../../../src/outbox/outbox-worker.ts';
import { testServices } from '../../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const LEARNER = 'U0LEARNER7';

// A crash between chat.postMessage and marking the outbox row sent: the retry carries earlierAttemptAt.
describe('Slack delivery after an attempt with an unknown outcome', { timeout: 60_000 }, () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let logs: Awaited<ReturnType<typeof testServices>>['logs'];
  let nextKey = 100;

  before(async () => {
    fake = await FakeSlack.start();
    const env = await testServices(NOW);
    logs = env.logs;
    adapter = createSlackAdapter({
      config: { botToken: fake.botToken, signingSecret: 'fake-signing-secret-0123456789', appToken: undefined, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services: env.services,
      logger: env.services.logger,
      web: createWebServer(env.services.logger),
    });
    await adapter.start();
  });

  beforeEach(() => {
    fake.chaos = undefined;
    fake.missingScopes.clear();
    fake.conversations.pageCap = undefined;
  });

  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  const message = (title: string, key = `outbox-${nextKey++}`, recipientUserId?: string) => ({
    channelId: FAKE_TEAM.channelId,
    payload: { title, private: false },
    key,
    ...(recipientUserId ? { recipientUserId } : {}),
  });
  const calls = (method: string) => fake.calls.filter((c) => c.method === method);

  it('tags every post with its outbox key in message metadata', async () => {
    const ts = await adapter.deliver(message('Module 02 starts now', 'outbox-1'));
    assert.equal(fake.posted.at(-1)?.ts, ts);
    assert.deepEqual(fake.posted.at(-1)?.metadata, { event_type: 'cohort_bot_outbox', event_payload: { key: 'outbox-1' } });
  });

  it('GIVEN the first attempt did post THEN the retry returns its ts and posts nothing, paging past newer messages', async () => {
    const first = message('Module 03 starts now');
    const attemptStarted = new Date();
    const ts = await adapter.deliver(first);
    for (let i = 0; i < 5; i += 1) await adapter.deliver(message(`later ${i}`));
    fake.conversations.pageCap = 2;
    const posts = fake.posted.length;
    const historyCalls = calls('conversations.history').length;
    // Our clock a minute ahead of Slack's: the margin before earlierAttemptAt still finds it.
    const again = await adapter.deliver({ ...first, earlierAttemptAt: new Date(attemptStarted.getTime() + 60_000) });
    assert.equal(again, ts);
    assert.equal(fake.posted.length, posts);
    const lookups = calls('conversations.history').slice(historyCalls);
    assert.ok(lookups.length > 1, 'followed next_cursor');
    assert.equal(lookups[0]?.params.channel, FAKE_TEAM.channelId);
    assert.equal(lookups[0]?.params.include_all_metadata, 'true');
  });

  it('GIVEN the first attempt did not post THEN the retry posts once', async () => {
    await adapter.deliver(message('someone else'));
    const retry = { ...message('Reminder: module 03 is due Monday'), earlierAttemptAt: new Date() };
    const posts = fake.posted.length;
    const ts = await adapter.deliver(retry);
    assert.equal(fake.posted.length, posts + 1);
    assert.deepEqual([fake.posted.at(-1)?.ts, fake.posted.at(-1)?.metadata?.event_payload], [ts, { key: retry.key }]);
  });

  it('GIVEN Slack posted but the answer was lost THEN the attempt fails to be retried (not given up on), and the retry posts nothing', async () => {
    const first = message('Module 04 starts now');
    const attemptStarted = new Date();
    const posts = fake.posted.length;
    fake.chaos = new FaultPlan(1, 7, ['lost-answer']);
    const failed = await adapter.deliver(first).then(
      () => undefined,
      (error: unknown) => error,
    );
    fake.chaos = undefined;
    assert.ok(failed instanceof Error, 'the attempt fails');
    assert.ok(!(failed instanceof PermanentDeliveryError), `a lost answer is worth retrying: ${String(failed)}`);
    assert.equal(fake.posted.length, posts + 1, 'posted once: the client itself did not send it again');
    const ts = await adapter.deliver({ ...first, earlierAttemptAt: attemptStarted });
    assert.equal(ts, fake.posted.at(-1)?.ts);
    assert.equal(fake.posted.length, posts + 1);
  });

  it('GIVEN a direct message the first attempt posted THEN the retry finds it in the IM and posts nothing', async () => {
    const first = message('Your pass did not count', undefined, LEARNER);
    const attemptStarted = new Date();
    const ts = await adapter.deliver(first);
    const posts = fake.posted.length;
    assert.equal(await adapter.deliver({ ...first, earlierAttemptAt: attemptStarted }), ts);
    assert.equal(fake.posted.length, posts);
    const im = fake.conversations.open([LEARNER]);
    assert.deepEqual(calls('conversations.open').at(-1)?.params.users, LEARNER);
    assert.equal(calls('conversations.history').at(-1)?.params.channel, im);
  });

  it('GIVEN a direct message the first attempt did not post THEN the retry posts it once, to the learner', async () => {
    const retry = { ...message('Your pass counted after all', undefined, LEARNER), earlierAttemptAt: new Date() };
    const posts = fake.posted.length;
    const ts = await adapter.deliver(retry);
    assert.equal(fake.posted.length, posts + 1);
    assert.deepEqual([fake.posted.at(-1)?.channel, fake.posted.at(-1)?.ts], [LEARNER, ts]);
  });

  it('GIVEN history is refused for a missing scope THEN it warns without secrets and posts once', async () => {
    fake.missingScopes.set('conversations.history', 'channels:history');
    const retry = { ...message('Digest'), earlierAttemptAt: new Date() };
    const posts = fake.posted.length;
    const ts = await adapter.deliver(retry);
    assert.equal(fake.posted.length, posts + 1);
    assert.equal(fake.posted.at(-1)?.ts, ts);
    const warning = logs.lines().find((line) => line.outboxKey === retry.key && line.level === 40);
    assert.equal(warning?.code, 'missing_scope');
    assert.match(String(warning?.hint), /lacks the scope channels:history/);
    assert.doesNotMatch(JSON.stringify(logs.lines()), new RegExp(fake.botToken));
  });
});
