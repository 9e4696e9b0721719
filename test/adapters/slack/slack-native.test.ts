import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { blockKitProblems } from '../../fakes/slack/block-kit.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/slack-adapter.ts';
import { createWebServer, type WebServer } from '../../../src/adapters/web/web-server.ts';
import type { Services } from '../../../src/chat/context.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry } from '../../../src/chat/registry.ts';
import { assignmentReply } from '../../../src/chat/views/assignment.ts';
import type { Cohort } from '../../../src/core/cohort.ts';
import { moduleWindows } from '../../../src/core/schedule.ts';
import type { Store } from '../../../src/store/store.ts';
import { FAKE_TEAM, FakeSlack, signSlackJsonRequest, signSlackRequest, SLACK_ADMIN, SLACK_MEMBER } from '../../fakes/slack/fake-slack.ts';
import { pass } from '../../helpers/cohort-fixture.ts';
import { slowCommand } from '../../helpers/slow-command.ts';
import { testServices } from '../../helpers/test-services.ts';

const SECRET = 'fake-signing-secret-0123456789';
const NOW = new Date('2026-12-10T12:00:00Z');
const OUTSIDER = { id: 'U0OUTSIDER', name: 'olive' };

const slow = slowCommand();

type Body = { response_type?: string; text?: string; blocks?: unknown[] };
const text = (body: unknown) => JSON.stringify(body);
/** `/join` typed as a command of its own, which Slack would never deliver (its built-in wins). */
const BARE_JOIN = /(?<![\w-])\/join\b/;

async function startAdapter(fake: FakeSlack, services: Services, web: WebServer, prefix = ''): Promise<SlackAdapter> {
  const adapter = createSlackAdapter({
    config: { botToken: fake.botToken, signingSecret: SECRET, appToken: undefined, apiUrl: fake.apiUrl, commandNames: { appCommand: '/cohort-bot', prefix } },
    registry: createRegistry([...(await loadCommands()), slow]),
    services,
    logger: services.logger,
    web,
    ackAfterMs: 40,
    homeGatherMs: 10,
  });
  await adapter.start();
  return adapter;
}

describe('Slack, natively: one app command, buttons and the Home tab', { timeout: 60_000 }, () => {
  let fake: FakeSlack;
  let web: WebServer;
  let adapter: SlackAdapter;
  let services: Services;
  let store: Store;
  let cohort: Cohort;
  let base = '';

  before(async () => {
    fake = await FakeSlack.start();
    const env = await testServices(NOW);
    services = env.services;
    store = env.store;
    web = createWebServer(services.logger);
    adapter = await startAdapter(fake, services, web);
    base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
    cohort = store.cohorts.create(
      { platform: 'slack', workspaceId: FAKE_TEAM.teamId, channelId: FAKE_TEAM.channelId, name: 'Winter 2026', startDate: '2026-12-07', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' },
      NOW,
    );
  });

  after(async () => {
    await adapter.stop();
    await web.stop();
    await fake.close();
  });

  async function post(body: string, headers: Record<string, string>): Promise<{ status: number; body: Body }> {
    const response = await fetch(`${base}/slack/events`, { method: 'POST', body, headers });
    const raw = await response.text();
    return { status: response.status, body: raw ? (JSON.parse(raw) as Body) : {} };
  }

  const slash = (command: string, commandText = '', user: { id: string; name: string } = SLACK_MEMBER) => {
    const { body } = fake.slashCommand({ command, text: commandText, user });
    return post(body, signSlackRequest(SECRET, body));
  };

  it('answers anything but a POST to /slack/events plainly: 405 for another method, 404 for another path', async () => {
    const get = await fetch(`${base}/slack/events`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${base}/slack/events/extra`, { method: 'POST', body: 'x' })).status, 404);
    assert.equal((await fetch(`${base}/slack/`)).status, 404);
  });

  it('the app command alone shows the help, naming each command as it works on Slack', async () => {
    const { body } = await slash('/cohort-bot');
    assert.equal(body.response_type, 'ephemeral');
    assert.match(text(body), /cohort-bot/);
    assert.match(text(body), /\/cohort-bot join/);
    assert.match(text(body), /\/next-module/);
    assert.doesNotMatch(text(body), BARE_JOIN);
    assert.match(text(body), /\/cohort-bot &lt;command&gt;/, 'says the app command always works');
  });

  it('runs every command through the app command, as its short command would', async () => {
    const commands = (await loadCommands()).map((c) => c.name);
    for (const name of commands) {
      const through = await slash('/cohort-bot', name, SLACK_ADMIN);
      assert.equal(through.status, 200, name);
      assert.doesNotMatch(text(through.body), /I don&#39;t know|I don't know the command/, name);
      if (name === 'join') continue; // joining changes what a second run says
      const short = await slash(`/${name}`, '', SLACK_ADMIN);
      assert.equal(text(through.body), text(short.body), name);
    }
    assert.ok(store.learners.find(cohort.id, SLACK_ADMIN.id), '/cohort-bot join joined the admin');
  });

  it('passes subcommands and options through the app command', async () => {
    const { body } = await slash('/cohort-bot', 'cohort status', SLACK_ADMIN);
    assert.match(text(body), /Winter 2026 — active/);
    assert.match(text((await slash('/cohort-bot', 'module redis')).body), /Module 04 · Redis Clone/);
    const unknown = await slash('/cohort-bot', 'jion');
    assert.match(text(unknown.body), /Did you mean \/cohort-bot join\?/);
  });

  it('a learner joins with /cohort-bot join and every answer names the working form', async () => {
    const joined = await slash('/cohort-bot', 'join');
    assert.match(text(joined.body), /Welcome to Winter 2026, ada!/);
    const notJoined = await slash('/cohort-bot', 'progress', OUTSIDER);
    assert.match(text(notJoined.body), /Type \/cohort-bot join to join it/);
    assert.doesNotMatch(text(notJoined.body), BARE_JOIN);
  });

  it('a button on a channel post runs its command for whoever clicks, answered only to them', async () => {
    const window = moduleWindows(services.course, cohort)[0]!;
    await adapter.deliver({ channelId: FAKE_TEAM.channelId, payload: assignmentReply(window, cohort, services.links), key: 'post-1' });
    const posted = fake.posted.at(-1)!;
    assert.deepEqual(blockKitProblems(posted.blocks, 'message'), []);
    assert.match(text(posted.blocks), /"action_id":"run:next-module"/);
    const click = fake.blockAction({ actionId: 'run:next-module', container: 'message' });
    const ack = await post(click.body, signSlackRequest(SECRET, click.body));
    assert.equal(ack.status, 200);
    const answer = await fake.responseFor(click.responseId);
    assert.equal(answer.response_type, 'ephemeral');
    assert.equal(answer.replace_original, false, 'the post stays for everyone');
    assert.match(text(answer.blocks), /Next: Module 01 · Core Rust Fluency/);

    const board = fake.blockAction({ actionId: 'run:leaderboard', container: 'message', user: OUTSIDER });
    await post(board.body, signSlackRequest(SECRET, board.body));
    assert.match(text((await fake.responseFor(board.responseId)).blocks), /Winter 2026 leaderboard/);
  });

  it('a button answers with the same guards as the typed command', async () => {
    const click = fake.blockAction({ actionId: 'run:cohort:pause', container: 'message' });
    await post(click.body, signSlackRequest(SECRET, click.body));
    const answer = await fake.responseFor(click.responseId);
    assert.equal(answer.response_type, 'ephemeral');
    assert.match(text(answer.blocks), /Only the cohort organisers can do that/);
    assert.equal(store.cohorts.findById(cohort.id)?.status, 'active');
  });

  it('channel posts from the outbox name commands as they work on Slack too', async () => {
    await adapter.deliver({ channelId: FAKE_TEAM.channelId, payload: { title: 'Welcome', text: 'Type /join, then /next-module.', private: false }, key: 'post-2' });
    const posted = fake.posted.at(-1)!;
    assert.match(posted.text, /Type \/cohort-bot join, then \/next-module\./);
    assert.doesNotMatch(text(posted.blocks), BARE_JOIN);
  });

  it('acknowledges a click on a link button (it opens in the browser), answering nothing', async () => {
    const click = fake.blockAction({ actionId: 'link-0', container: 'message' });
    const ack = await post(click.body, signSlackRequest(SECRET, click.body));
    assert.equal(ack.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fake.responses.some((r) => r.id === click.responseId), false);
  });

  it('refuses a forged click (bad signature) with 401 and answers nothing', async () => {
    const click = fake.blockAction({ actionId: 'run:join', container: 'message', user: { id: 'U0MALLORY', name: 'mallory' } });
    const forged = await post(click.body, signSlackRequest('not-the-secret', click.body));
    assert.equal(forged.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fake.responses.some((r) => r.id === click.responseId), false);
    assert.equal(store.learners.find(cohort.id, 'U0MALLORY'), undefined);
  });

  it('publishes the Home tab on open: next step, lectures, progress per module, rank and buttons, within Block Kit limits', async () => {
    const learner = store.learners.find(cohort.id, SLACK_MEMBER.id)!;
    pass(store, learner.id, ['ex01-lru-cache'], NOW);
    const published = once(fake, 'viewPublished');
    const body = fake.appHomeOpened({ user: SLACK_MEMBER });
    assert.equal((await post(body, signSlackJsonRequest(SECRET, body))).status, 200);
    await published;
    const view = fake.homeViews.get(SLACK_MEMBER.id)!;
    assert.deepEqual(blockKitProblems(view.blocks, 'home'), []);
    const shown = text(view.blocks);
    assert.match(shown, /Winter 2026/);
    assert.match(shown, /Next: Module 01 · Core Rust Fluency/);
    assert.match(shown, /Lecture 1/);
    assert.match(shown, /Due/);
    assert.match(shown, /▰.* Module 01/);
    assert.match(shown, /Rank/);
    assert.match(shown, /"action_id":"run:progress","value":"C0COHORT1"/);
  });

  it('a Home tab button opens the answer in a modal, for the cohort the button belongs to', async () => {
    const opened = once(fake, 'viewOpened');
    const click = fake.blockAction({ actionId: 'run:progress', container: 'home', value: FAKE_TEAM.channelId });
    await post(click.body, signSlackRequest(SECRET, click.body));
    await opened;
    const modal = fake.openedViews.at(-1)!;
    assert.equal(modal.view.type, 'modal');
    assert.match(text(modal.view.blocks), /ada's progress in Winter 2026/);
  });

  it('a Home tab button naming a cohort the clicker is not in is refused', async () => {
    const opened = once(fake, 'viewOpened');
    const click = fake.blockAction({ actionId: 'run:leaderboard', container: 'home', value: FAKE_TEAM.otherChannelId });
    await post(click.body, signSlackRequest(SECRET, click.body));
    await opened;
    assert.match(text(fake.openedViews.at(-1)!.view.blocks), /You are not in that cohort any more/);
  });

  it('a slow answer from the Home tab opens the modal within the trigger’s 3 seconds and fills it in', async () => {
    const updated = once(fake, 'viewUpdated');
    const click = fake.blockAction({ actionId: 'run:slow', container: 'home' });
    await post(click.body, signSlackRequest(SECRET, click.body));
    await updated;
    const modal = fake.openedViews.at(-1)!;
    assert.match(text(modal.view.blocks), /Finally/);
  });

  it('someone who joined no cohort sees how to join, in the form that works', async () => {
    const published = once(fake, 'viewPublished');
    const body = fake.appHomeOpened({ user: OUTSIDER });
    await post(body, signSlackJsonRequest(SECRET, body));
    await published;
    const shown = text(fake.homeViews.get(OUTSIDER.id)!.blocks);
    assert.match(shown, /\/cohort-bot join/);
    assert.doesNotMatch(shown, BARE_JOIN);
  });

  it('republishes a learner’s Home tab after their passes', async () => {
    const learner = store.learners.find(cohort.id, SLACK_MEMBER.id)!;
    pass(store, learner.id, ['ex02-config-cli'], NOW);
    const published = once(fake, 'viewPublished');
    adapter.passesRecorded([learner, learner]);
    await published;
    assert.match(text(fake.homeViews.get(SLACK_MEMBER.id)!.blocks), /▰▰ 2\/2` Module 01/);
  });
});

describe('Slack with SLACK_COMMAND_PREFIX', { timeout: 30_000 }, () => {
  it('answers /rust-… commands and names them that way, /rust-join included', async () => {
    const fake = await FakeSlack.start();
    const { services } = await testServices(NOW);
    const web = createWebServer(services.logger);
    const adapter = await startAdapter(fake, services, web, 'rust-');
    const base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
    const slash = async (command: string, commandText = '') => {
      const { body } = fake.slashCommand({ command, text: commandText });
      return (await (await fetch(`${base}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SECRET, body) })).json()) as Body;
    };
    assert.match(text(await slash('/rust-module', 'redis')), /Module 04 · Redis Clone/);
    const help = text(await slash('/rust-help'));
    assert.match(help, /\/rust-join/);
    assert.match(help, /\/rust-next-module/);
    assert.doesNotMatch(help, /(?<![\w-])\/next-module/);
    await adapter.stop();
    await web.stop();
    await fake.close();
  });
});

describe('Slack buttons and Home tab in Socket Mode', { timeout: 30_000 }, () => {
  it('answers a click and an app_home_opened arriving over the socket', async () => {
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
    const published = once(fake, 'viewPublished');
    await fake.socketAppHomeOpened({ user: SLACK_MEMBER });
    await published;
    assert.match(text(fake.homeViews.get(SLACK_MEMBER.id)?.blocks), /You have not joined a cohort yet/);
    const { responseId } = await fake.socketBlockAction({ actionId: 'run:help', container: 'message' });
    assert.match(text((await fake.responseFor(responseId!)).blocks), /cohort-bot/);
    await adapter.stop();
    await fake.close();
  });
});
