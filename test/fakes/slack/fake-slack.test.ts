import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { LogLevel, WebClient, type Button, type Logger } from '@slack/web-api';
import { WebSocket } from 'ws';
import { blockKitProblems } from './block-kit.ts';
import { FAKE_TEAM, FakeSlack, signSlackJsonRequest, signSlackRequest, SLACK_MEMBER } from './fake-slack.ts';

/** The fake's own rules, checked with the WebClient Bolt uses and plain fetch, as Slack would answer them. */

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

/** A button; `extra` may break Slack's rules, which is what some tests want. */
const button = (actionId: string, label = 'Go', extra: Record<string, unknown> = {}) => ({ type: 'button', action_id: actionId, text: { type: 'plain_text', text: label }, ...extra }) as Button;
const sections = (count: number) => Array.from({ length: count }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `Line ${i}` } }));

/** The Slack error code and details a refused WebClient call carries. */
async function refusal(call: Promise<unknown>): Promise<{ error: string; errors?: string[]; response_metadata?: { messages?: string[] } }> {
  try {
    await call;
  } catch (error) {
    return (error as { data: { error: string; errors?: string[]; response_metadata?: { messages?: string[] } } }).data;
  }
  assert.fail('Slack accepted it');
}

describe('FakeSlack', () => {
  let fake: FakeSlack;
  let client: WebClient;

  before(async () => {
    fake = await FakeSlack.start();
    client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, logger: quiet, retryConfig: { retries: 0 } });
  });

  after(() => fake.close());

  describe('Block Kit', () => {
    it('refuses a button label over 75 characters with invalid_blocks, pointing at it, and posts nothing', async () => {
      const before = fake.posted.length;
      const data = await refusal(client.chat.postMessage({ channel: FAKE_TEAM.channelId, text: 'x', blocks: [{ type: 'actions', elements: [button('a', 'L'.repeat(76))] }] }));
      assert.equal(data.error, 'invalid_blocks');
      assert.deepEqual(data.errors, ['must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]']);
      assert.deepEqual(data.response_metadata?.messages, ['[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]']);
      assert.equal(fake.posted.length, before);
      // 75 is fine, and so is an emoji counted as one character.
      await client.chat.postMessage({ channel: FAKE_TEAM.channelId, text: 'x', blocks: [{ type: 'actions', elements: [button('a', `${'L'.repeat(74)}🦀`)] }] });
    });

    it('refuses 51 blocks in a message (chat.postMessage, postEphemeral, update) but takes them in a Home view', async () => {
      const blocks = sections(51);
      for (const call of [
        client.chat.postMessage({ channel: FAKE_TEAM.channelId, text: 'x', blocks }),
        client.chat.postEphemeral({ channel: FAKE_TEAM.channelId, user: SLACK_MEMBER.id, text: 'x', blocks }),
        client.chat.update({ channel: FAKE_TEAM.channelId, ts: '1700000000.000100', text: 'x', blocks }),
      ]) {
        assert.deepEqual((await refusal(call)).errors, ['no more than 50 items allowed [json-pointer:/blocks]']);
      }
      const published = await client.views.publish({ user_id: SLACK_MEMBER.id, view: { type: 'home', blocks } });
      assert.equal(published.view?.blocks?.length, 51);
      // Views refuse with invalid_arguments and the pointer in response_metadata, not invalid_blocks.
      const data = await refusal(client.views.publish({ user_id: SLACK_MEMBER.id, view: { type: 'home', blocks: sections(101) } }));
      assert.equal(data.error, 'invalid_arguments');
      assert.deepEqual(data.response_metadata?.messages, ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]']);
    });

    it('knows the published limits of header, section, context, actions, button, image and ids', () => {
      const problems = blockKitProblems(
        [
          { type: 'header', text: { type: 'mrkdwn', text: 'H'.repeat(151) } },
          { type: 'section', text: { type: 'mrkdwn', text: 'S'.repeat(3001) }, fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
          { type: 'section', fields: [{ type: 'plain_text', text: 'F'.repeat(2001) }] },
          { type: 'section' },
          { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) },
          { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) },
          { type: 'actions', block_id: 'dup', elements: [button('v', 'V', { value: 'v'.repeat(2001), url: `https://x.test/${'u'.repeat(3000)}`, style: 'default' }), button('v')] },
          { type: 'image', block_id: 'dup', image_url: 'https://x.test/i.png', alt_text: 'A'.repeat(2001) },
          { type: 'divider', block_id: 'B'.repeat(256) },
          { type: 'context', elements: [{ type: 'plain_text', text: '' }, { type: 'markdown', text: 'm' }] },
          { type: 'actions', elements: [button('A'.repeat(256))] },
          { type: 'input', element: { type: 'plain_text_input' } },
        ],
        'message',
      );
      assert.deepEqual(problems, [
        'must be a valid enum value [json-pointer:/blocks/0/text/type]',
        'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
        'must be less than 3001 characters [json-pointer:/blocks/1/text/text]',
        'no more than 10 items allowed [json-pointer:/blocks/1/fields]',
        'must be less than 2001 characters [json-pointer:/blocks/2/fields/0/text]',
        'must define either `text` or `fields` [json-pointer:/blocks/3]',
        'no more than 10 items allowed [json-pointer:/blocks/4/elements]',
        'no more than 25 items allowed [json-pointer:/blocks/5/elements]',
        'must be less than 2001 characters [json-pointer:/blocks/6/elements/0/value]',
        'must be less than 3001 characters [json-pointer:/blocks/6/elements/0/url]',
        'must be a valid enum value [json-pointer:/blocks/6/elements/0/style]',
        '`action_id` "v" already exists [json-pointer:/blocks/6/elements/1/action_id]',
        '`block_id` "dup" already exists [json-pointer:/blocks/7/block_id]',
        'must be less than 2001 characters [json-pointer:/blocks/7/alt_text]',
        'must be less than 256 characters [json-pointer:/blocks/8/block_id]',
        'must be more than 0 characters [json-pointer:/blocks/9/elements/0/text]',
        'must be a valid enum value [json-pointer:/blocks/9/elements/1/type]',
        'must be less than 256 characters [json-pointer:/blocks/10/elements/0/action_id]',
        'unsupported type: input [json-pointer:/blocks/11/type]',
      ]);
      // An action_id is unique within its block only: two blocks may share one (told apart by block_id or value).
      const twice = { type: 'actions', elements: [button('go', 'Go', { style: 'danger', value: '' })] };
      assert.deepEqual(blockKitProblems([twice, { type: 'divider' }, twice], 'home'), []);
    });

    it('answers blocks that are not a JSON array with invalid_blocks_format', async () => {
      const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ channel: FAKE_TEAM.channelId, text: 'x', blocks: '[{"type":' }).toString(),
      });
      assert.deepEqual(await response.json(), { ok: false, error: 'invalid_blocks_format' });
    });
  });

  describe('views.publish', () => {
    it("records the user's Home view, keeps its id across publishes and refuses other view types", async () => {
      const published = once(fake, 'viewPublished');
      const first = await client.views.publish({ user_id: 'U0HOME1', view: { type: 'home', blocks: [{ type: 'actions', elements: [button('run:progress', 'My progress')] }] } });
      const [event] = (await published) as [{ userId: string }];
      assert.equal(event.userId, 'U0HOME1');
      const home = fake.homeViews.get('U0HOME1');
      assert.equal(home?.type, 'home');
      assert.equal(home?.id, first.view?.id);
      assert.equal(fake.publishedViews.at(-1)?.view, home);
      // Slack makes up the block_id the app left out.
      assert.match(String((home?.blocks[0] as { block_id?: string }).block_id), /^.{5}$/);

      const second = await client.views.publish({ user_id: 'U0HOME1', view: { type: 'home', blocks: [{ type: 'divider' }] }, hash: first.view?.hash });
      assert.equal(second.view?.id, first.view?.id);
      assert.notEqual(second.view?.hash, first.view?.hash);
      assert.equal((await refusal(client.views.publish({ user_id: 'U0HOME1', view: { type: 'home', blocks: [] }, hash: first.view?.hash }))).error, 'hash_conflict');
      const modal = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Nope' }, blocks: [] };
      assert.equal((await refusal(client.views.publish({ user_id: 'U0HOME1', view: modal }))).error, 'invalid_arguments');
    });
  });

  describe('views.open', () => {
    const modal = (title = 'Progress') => ({ type: 'modal' as const, title: { type: 'plain_text' as const, text: title }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hi' } }] });

    it('refuses a trigger id it never issued, a reused one and an expired one', async () => {
      assert.equal((await refusal(client.views.open({ trigger_id: '13345224609.738474920.8088930838d88f008e0', view: modal() }))).error, 'invalid_trigger_id');
      const { triggerId } = fake.blockAction({ actionId: 'open', container: 'message' });
      await client.views.open({ trigger_id: triggerId, view: modal() });
      assert.equal((await refusal(client.views.open({ trigger_id: triggerId, view: modal() }))).error, 'exchanged_trigger_id');
      fake.views.triggerTtlMs = 0;
      try {
        const late = fake.blockAction({ actionId: 'open', container: 'message' }).triggerId;
        await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal((await refusal(client.views.open({ trigger_id: late, view: modal() }))).error, 'expired_trigger_id');
      } finally {
        fake.views.triggerTtlMs = 3000;
      }
    });

    it('opens a modal for the user who clicked, refusing a title over 24 characters without using up the trigger', async () => {
      const user = { id: 'U0MODAL1', name: 'lin' };
      const { triggerId } = fake.blockAction({ actionId: 'open', user, container: 'home' });
      const data = await refusal(client.views.open({ trigger_id: triggerId, view: modal('T'.repeat(25)) }));
      assert.deepEqual([data.error, data.response_metadata?.messages], ['invalid_arguments', ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]']]);
      const opened = once(fake, 'viewOpened');
      const answer = await client.views.open({ trigger_id: triggerId, view: modal('T'.repeat(24)) });
      await opened;
      assert.deepEqual([fake.openedViews.at(-1)?.userId, fake.openedViews.at(-1)?.view.id, answer.view?.type], [user.id, answer.view?.id, 'modal']);
    });
  });

  describe('interactions', () => {
    it('builds a block_actions payload for a button in a posted message, with a response_url into the fake', async () => {
      const posted = await client.chat.postMessage({ channel: FAKE_TEAM.channelId, text: 'Module 01', blocks: [{ type: 'actions', block_id: 'next', elements: [button('run:next-module', 'Next module', { value: 'C0COHORT1', style: 'primary' })] }] });
      const { body, responseId, triggerId } = fake.blockAction({ actionId: 'run:next-module', container: 'message' });
      const payload = JSON.parse(new URLSearchParams(body).get('payload') ?? '') as Record<string, any>;
      assert.equal(payload.type, 'block_actions');
      assert.equal(payload.api_app_id, 'A0COHORTBOT');
      assert.equal(payload.trigger_id, triggerId);
      assert.deepEqual(payload.team, { id: FAKE_TEAM.teamId, domain: 'rust-cohort' });
      assert.deepEqual(payload.user, { id: SLACK_MEMBER.id, username: SLACK_MEMBER.name, name: SLACK_MEMBER.name, team_id: FAKE_TEAM.teamId });
      assert.deepEqual(payload.container, { type: 'message', message_ts: posted.ts, channel_id: FAKE_TEAM.channelId, is_ephemeral: false });
      assert.deepEqual(payload.channel, { id: FAKE_TEAM.channelId, name: 'rust-cohort' });
      assert.deepEqual([payload.message.ts, payload.message.text, payload.message.blocks[0].block_id], [posted.ts, 'Module 01', 'next']);
      assert.equal(payload.response_url, `http://127.0.0.1:${fake.port}/response/${responseId}`);
      assert.equal(payload.actions.length, 1);
      const { action_ts: actionTs, ...action } = payload.actions[0];
      assert.deepEqual(action, { type: 'button', action_id: 'run:next-module', block_id: 'next', text: { type: 'plain_text', text: 'Next module' }, value: 'C0COHORT1', style: 'primary' });
      assert.match(actionTs, /^\d{10}\.\d{6}$/);

      // The response_url takes what Slack takes; what Slack would refuse is kept, marked and answered 400.
      const fine = await fetch(payload.response_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ replace_original: true, text: 'ok', blocks: sections(2) }) });
      assert.equal(fine.status, 200);
      const refused = await fetch(payload.response_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x', blocks: sections(51) }) });
      assert.deepEqual([refused.status, await refused.text()], [400, 'invalid_blocks']);
      assert.deepEqual(
        fake.responses.filter((r) => r.id === responseId).map((r) => r.invalid),
        [undefined, 'no more than 50 items allowed [json-pointer:/blocks]'],
      );
    });

    it("builds a block_actions payload from the Home tab with the user's view, no channel and no response_url", async () => {
      const user = { id: 'U0HOME2', name: 'bo' };
      // One button per cohort, the same action_id in each block, the cohort's channel as value.
      const cohorts = [FAKE_TEAM.channelId, FAKE_TEAM.otherChannelId].map((channel) => ({ type: 'actions' as const, elements: [button('run:schedule', 'Schedule', { value: channel })] }));
      const published = await client.views.publish({ user_id: user.id, view: { type: 'home', blocks: cohorts } });
      const { payload, responseId } = fake.blockAction({ actionId: 'run:schedule', value: FAKE_TEAM.otherChannelId, user, container: 'home' });
      assert.equal(responseId, undefined);
      assert.deepEqual(payload.container, { type: 'view', view_id: published.view?.id });
      assert.deepEqual((payload.view as { id: string }).id, published.view?.id);
      assert.deepEqual(['channel' in payload, 'message' in payload, 'response_url' in payload], [false, false, false]);
      assert.deepEqual([payload.actions[0]?.value, payload.actions[0]?.block_id], [FAKE_TEAM.otherChannelId, (published.view?.blocks?.[1] as { block_id: string }).block_id]);
    });

    it('builds a signed Events API body for app_home_opened in the app DM channel, with the published view', async () => {
      const body = fake.appHomeOpened({ user: { id: 'U0HOME2', name: 'bo' } });
      const envelope = JSON.parse(body) as Record<string, any>;
      assert.deepEqual([envelope.type, envelope.team_id, envelope.api_app_id, typeof envelope.event_time], ['event_callback', FAKE_TEAM.teamId, 'A0COHORTBOT', 'number']);
      assert.match(envelope.event_id, /^Ev/);
      const { event } = envelope;
      assert.deepEqual([event.type, event.user, event.tab, event.view?.id], ['app_home_opened', 'U0HOME2', 'home', fake.homeViews.get('U0HOME2')?.id]);
      assert.equal(event.channel, (await client.conversations.open({ users: 'U0HOME2' })).channel?.id);
      assert.match(event.event_ts, /^\d{10}\.\d{6}$/);
      assert.equal(JSON.parse(fake.appHomeOpened({ tab: 'messages' })).event.view, undefined);

      const headers = signSlackJsonRequest('secret', body, 1_700_000_000);
      assert.equal(headers['content-type'], 'application/json');
      assert.equal(headers['x-slack-signature'], `v0=${createHmac('sha256', 'secret').update(`v0:1700000000:${body}`).digest('hex')}`);
      assert.equal(signSlackRequest('secret', 'a=b')['content-type'], 'application/x-www-form-urlencoded');
    });

    it('sends button clicks and app_home_opened over Socket Mode and resolves with the ack', async () => {
      const { url } = (await (await fetch(`${fake.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${fake.appToken}` } })).json()) as { url: string };
      const socket = new WebSocket(url);
      const received: { type: string; payload: Record<string, any> }[] = [];
      socket.on('message', (data) => {
        const envelope = JSON.parse(String(data)) as { envelope_id?: string; type: string; payload: Record<string, any> };
        if (!envelope.envelope_id) return;
        received.push(envelope);
        socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { seen: envelope.type } }));
      });
      try {
        const click = await fake.socketBlockAction({ actionId: 'run:help', container: 'message' });
        assert.deepEqual(click.ack, { seen: 'interactive' });
        assert.deepEqual(await fake.socketAppHomeOpened(), { seen: 'events_api' });
        assert.deepEqual(
          received.map((e) => [e.type, e.payload.type]),
          [['interactive', 'block_actions'], ['events_api', 'event_callback']],
        );
        assert.equal(received[0]?.payload.trigger_id, click.triggerId);
      } finally {
        socket.close();
      }
    });
  });
});
