import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/slack-adapter.ts';
import { createWebServer, type WebServer } from '../../../src/adapters/web/web-server.ts';
import type { Services } from '../../../src/chat/context.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry } from '../../../src/chat/registry.ts';
import type { Reply, ReplyFile } from '../../../src/chat/reply.ts';
import { FAKE_TEAM, FakeSlack, signSlackRequest, SLACK_MEMBER } from '../../fakes/slack/fake-slack.ts';
import { delayedCommand, PNG_BASE64 } from '../../helpers/slow-command.ts';
import { testServices } from '../../helpers/test-services.ts';

/**
 * Reply files on Slack, which has no ephemeral files: a public reply's files are uploaded to its channel, a private
 * one's to the asker's direct message with the app (and the private answer says so); outbox posts get theirs after
 * the message, in the same conversation. Uploads go through files.uploadV2 against the fake.
 */

const SECRET = 'fake-signing-secret-0123456789';
const NOW = new Date('2026-12-10T12:00:00Z');
const PNG = Buffer.from(PNG_BASE64, 'base64');
const CSV = Buffer.from('rank,learner,points\n1,ada,120\n', 'utf8');

const png: ReplyFile = { name: 'leaderboard.png', contentType: 'image/png', base64: PNG_BASE64, description: 'The Winter leaderboard: ada first' };
const csv: ReplyFile = { name: 'leaderboard.csv', contentType: 'text/csv', base64: CSV.toString('base64'), description: 'The leaderboard as a table' };

const fileCommand = (name: string, reply: Reply, delayMs = 0) => delayedCommand(name, reply, delayMs);

type Body = { response_type?: string; text?: string; blocks?: unknown[]; replace_original?: boolean };
const text = (body: unknown) => JSON.stringify(body);

describe('Slack reply files', { timeout: 60_000 }, () => {
  let fake: FakeSlack;
  let web: WebServer;
  let adapter: SlackAdapter;
  let services: Services;
  let logs: () => Record<string, unknown>[];
  let base = '';

  before(async () => {
    fake = await FakeSlack.start();
    const env = await testServices(NOW);
    services = env.services;
    logs = env.logs.lines;
    web = createWebServer(services.logger);
    adapter = createSlackAdapter({
      config: { botToken: fake.botToken, signingSecret: SECRET, appToken: undefined, apiUrl: fake.apiUrl, commandNames: { appCommand: '/cohort-bot', prefix: '' } },
      registry: createRegistry([
        ...(await loadCommands()),
        fileCommand('board-files', { title: 'Your board', text: 'Here it is.', files: [png], private: true }),
        fileCommand('board-slow', { title: 'Your slow board', files: [png, csv], private: true }, 150),
        fileCommand('board-public', { title: 'Board for all', files: [csv], private: false }),
      ]),
      services,
      logger: services.logger,
      web,
      ackAfterMs: 40,
      clientRetries: 0,
      homeGatherMs: 10,
    });
    await adapter.start();
    base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
  });

  after(async () => {
    await adapter.stop();
    await web.stop();
    await fake.close();
  });

  async function slash(command: string): Promise<{ status: number; body: Body; responseId: string }> {
    const { body, responseId } = fake.slashCommand({ command, user: SLACK_MEMBER });
    const response = await fetch(`${base}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SECRET, body) });
    const raw = await response.text();
    return { status: response.status, body: raw ? (JSON.parse(raw) as Body) : {}, responseId };
  }

  const dmOf = (userId: string) => fake.conversations.open([userId]);

  it('a private answer’s file goes to the asker’s direct message, bytes intact, and the answer says so', async () => {
    const since = fake.files.length;
    const { body } = await slash('/board-files');
    assert.equal(body.response_type, 'ephemeral');
    assert.match(text(body.blocks), /I sent leaderboard.png to you in a direct message\./);
    assert.match(body.text ?? '', /Your board/);
    const file = await fake.fileSharedIn(undefined, since);
    assert.match(file.channelId ?? '', /^D/);
    assert.equal(file.channelId, dmOf(SLACK_MEMBER.id));
    assert.equal(file.name, 'leaderboard.png');
    assert.ok(file.bytes.equals(PNG));
    assert.equal(file.altText, png.description);
    assert.equal(file.initialComment, 'Your board', 'the DM says which answer the file belongs to');
  });

  it('a slow private answer: acked, answered through the response_url, then both files in one DM share', async () => {
    const since = fake.files.length;
    const { body, responseId } = await slash('/board-slow');
    assert.match(body.text ?? '', /Working on it/);
    const answer = await fake.responseFor(responseId);
    assert.match(text(answer.blocks), /I sent leaderboard.png and leaderboard.csv to you in a direct message\./);
    // One completeUploadExternal shares both: they are recorded together.
    await fake.fileSharedIn(undefined, since);
    const shared = fake.files.slice(since);
    assert.deepEqual(
      shared.map((f) => [f.name, f.channelId]),
      [
        ['leaderboard.png', dmOf(SLACK_MEMBER.id)],
        ['leaderboard.csv', dmOf(SLACK_MEMBER.id)],
      ],
    );
    assert.ok(shared[1]?.bytes.equals(CSV));
  });

  it('a public reply’s file goes to the channel, without a note about direct messages', async () => {
    const since = fake.files.length;
    const { body } = await slash('/board-public');
    assert.equal(body.response_type, 'in_channel');
    assert.doesNotMatch(text(body), /direct message/);
    const file = await fake.fileSharedIn(FAKE_TEAM.channelId, since);
    assert.equal(file.name, 'leaderboard.csv');
    assert.ok(file.bytes.equals(CSV));
    assert.equal(file.initialComment, undefined);
  });

  it('a button whose command answers with a file: the click is answered privately and the file goes to the clicker’s DM', async () => {
    const since = fake.files.length;
    const click = fake.blockAction({ actionId: 'run:board-files', container: 'message' });
    const ack = await fetch(`${base}/slack/events`, { method: 'POST', body: click.body, headers: signSlackRequest(SECRET, click.body) });
    assert.equal(ack.status, 200);
    const answer = await fake.responseFor(click.responseId);
    assert.equal(answer.response_type, 'ephemeral');
    assert.match(text(answer.blocks), /I sent leaderboard.png to you in a direct message\./);
    const file = await fake.fileSharedIn(undefined, since);
    assert.equal(file.channelId, dmOf(SLACK_MEMBER.id));
  });

  it('deliver posts the message, then uploads its files into the same channel', async () => {
    const since = fake.files.length;
    const callsBefore = fake.calls.length;
    const ts = await adapter.deliver({ channelId: FAKE_TEAM.channelId, payload: { title: 'Weekly board', files: [png, csv], private: false }, key: 'outbox-files-1' });
    assert.equal(fake.posted.at(-1)?.ts, ts);
    assert.match(fake.posted.at(-1)?.text ?? '', /Weekly board/);
    assert.deepEqual(
      fake.files.slice(since).map((f) => [f.name, f.channelId]),
      [
        ['leaderboard.png', FAKE_TEAM.channelId],
        ['leaderboard.csv', FAKE_TEAM.channelId],
      ],
    );
    const methods = fake.calls.slice(callsBefore).map((c) => c.method);
    assert.ok(methods.indexOf('chat.postMessage') < methods.indexOf('files.completeUploadExternal'), 'the message first, then the files');
  });

  it('deliver of a direct message uploads its files into that DM', async () => {
    const since = fake.files.length;
    await adapter.deliver({ channelId: FAKE_TEAM.channelId, recipientUserId: SLACK_MEMBER.id, payload: { title: 'Your board', files: [png], private: false }, key: 'outbox-files-dm' });
    assert.equal(fake.files.at(-1)?.channelId, dmOf(SLACK_MEMBER.id));
    assert.equal(fake.files.length, since + 1);
  });

  it('without files:write the answer still arrives, and a polite private follow-up says the file could not be sent', async () => {
    fake.missingScopes.set('files.getUploadURLExternal', 'files:write');
    try {
      const since = fake.files.length;
      const { status, body, responseId } = await slash('/board-files');
      assert.equal(status, 200);
      assert.match(text(body.blocks), /Your board/);
      const followUp = await fake.responseFor(responseId);
      assert.equal(followUp.response_type, 'ephemeral');
      assert.equal(followUp.replace_original, false, 'the answer stays');
      assert.match(text(followUp), /could not send you leaderboard.png/);
      assert.match(text(followUp), /not allowed to upload files/);
      assert.equal(fake.files.length, since);
      const warning = logs().find((line) => line.msg === 'could not upload files to Slack');
      assert.equal(warning?.code, 'missing_scope');
      assert.match(String(warning?.hint), /files:write/);

      // An outbox post keeps its message: the upload failure is logged, not thrown (a retry would post it twice).
      const ts = await adapter.deliver({ channelId: FAKE_TEAM.channelId, payload: { title: 'Weekly board', files: [png], private: false }, key: 'outbox-files-2' });
      assert.equal(fake.posted.at(-1)?.ts, ts);
      assert.equal(fake.files.length, since);
    } finally {
      fake.missingScopes.delete('files.getUploadURLExternal');
    }
  });
});
