import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/slack-adapter.ts';
import { createWebServer, type WebServer } from '../../../src/adapters/web/web-server.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry } from '../../../src/chat/registry.ts';
import { FAKE_TEAM, FakeSlack, signSlackRequest, SLACK_ADMIN, SLACK_MEMBER } from '../../fakes/slack/fake-slack.ts';
import { testServices } from '../../helpers/test-services.ts';

const SECRET = 'fake-signing-secret-0123456789';
const NOW = new Date('2026-12-10T12:00:00Z');
/** Slack's deadline for the ack; the requirement itself, so a bound on time is what is tested. */
const SLACK_ACK_DEADLINE_MS = 3000;

// The adapter runs with its production ack timer (no ackAfterMs), against a users.info slower than Slack's 3 s.
describe('Slack adapter when users.info is slow', { timeout: 60_000 }, () => {
  let fake: FakeSlack;
  let web: WebServer;
  let adapter: SlackAdapter;
  let base = '';

  before(async () => {
    fake = await FakeSlack.start();
    fake.usersInfoDelayMs = 5000;
    const { services, store } = await testServices(NOW);
    store.cohorts.create({ platform: 'slack', workspaceId: FAKE_TEAM.teamId, channelId: FAKE_TEAM.channelId, name: 'Winter 2026', startDate: '2026-12-07', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, NOW);
    web = createWebServer(services.logger);
    adapter = createSlackAdapter({
      config: { botToken: fake.botToken, signingSecret: SECRET, appToken: undefined, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services,
      logger: services.logger,
      web,
    });
    await adapter.start();
    base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
  });

  after(async () => {
    await adapter.stop();
    await web.stop();
    await fake.close();
  });

  async function timedSlash(command: string, text: string, user: { id: string; name: string }) {
    const { body, responseId } = fake.slashCommand({ command, text, user });
    const started = performance.now();
    const response = await fetch(`${base}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SECRET, body) });
    const ack = (await response.json()) as { response_type?: string; text?: string; blocks?: unknown[] };
    return { status: response.status, ack, ms: performance.now() - started, responseId };
  }

  const usersInfoCalls = () => fake.calls.filter((c) => c.method === 'users.info');

  it('answers learner commands in the ack without asking users.info', async () => {
    const next = await timedSlash('/next-module', '', SLACK_MEMBER);
    const help = await timedSlash('/help', '', SLACK_MEMBER);
    for (const { status, ms } of [next, help]) {
      assert.equal(status, 200);
      assert.ok(ms < SLACK_ACK_DEADLINE_MS, `acked in ${Math.round(ms)} ms`);
    }
    assert.match(JSON.stringify(next.ack.blocks), /Winter 2026 is on Module 01/);
    assert.match(JSON.stringify(help.ack.blocks), /\/cohort/);
    assert.deepEqual(usersInfoCalls(), []);
  });

  it('acks an admin\'s /cohort status within 3 s, then answers through response_url as an organiser', async () => {
    const { status, ack, ms, responseId } = await timedSlash('/cohort', 'status', SLACK_ADMIN);
    assert.equal(status, 200);
    assert.ok(ms < SLACK_ACK_DEADLINE_MS, `acked in ${Math.round(ms)} ms`);
    assert.deepEqual(ack, { response_type: 'ephemeral', text: 'Working on it…' });
    const later = await fake.responseFor(responseId);
    assert.match(JSON.stringify(later.blocks), /Winter 2026 — active/);
    assert.deepEqual(usersInfoCalls().map((c) => c.params.user), [SLACK_ADMIN.id]);
  });

  it('answers the admin\'s next organiser command in the ack, from the cached lookup', async () => {
    const { ack, ms } = await timedSlash('/cohort', 'status', SLACK_ADMIN);
    assert.ok(ms < SLACK_ACK_DEADLINE_MS, `acked in ${Math.round(ms)} ms`);
    assert.match(JSON.stringify(ack.blocks), /Winter 2026 — active/);
    assert.equal(usersInfoCalls().length, 1);
  });
});
