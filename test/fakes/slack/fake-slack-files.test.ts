import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { FAKE_TEAM, FakeSlack, SLACK_MEMBER } from './fake-slack.ts';
import type { FakeSlackFile } from './fake-files.ts';

/** The fake's upload flow (files.getUploadURLExternal → upload_url → files.completeUploadExternal), with the WebClient Bolt uses and plain fetch. */

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

async function refusal(call: Promise<unknown>): Promise<{ error: string; needed?: string; response_metadata?: { messages?: string[] } }> {
  try {
    await call;
  } catch (error) {
    return (error as { data: { error: string; needed?: string } }).data;
  }
  assert.fail('Slack accepted it');
}

describe('FakeSlack file uploads', () => {
  let fake: FakeSlack;
  let client: WebClient;

  before(async () => {
    fake = await FakeSlack.start();
    client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, logger: quiet, retryConfig: { retries: 0 } });
  });
  after(() => fake.close());

  /** Starts an upload and POSTs `bytes` to its URL; the upload URL's answer and the file id. */
  async function upload(filename: string, length: number, bytes: Buffer): Promise<{ fileId: string; status: number; text: string }> {
    const started = await client.files.getUploadURLExternal({ filename, length });
    assert.equal(started.ok, true);
    const res = await fetch(started.upload_url!, { method: 'POST', body: new Uint8Array(bytes) });
    return { fileId: started.file_id!, status: res.status, text: await res.text() };
  }

  it('uploadV2 shares a file into a channel: bytes, name, title and comment recorded, and fileShared emitted', async () => {
    const shared = once(fake, 'fileShared');
    const result = await client.files.uploadV2({ channel_id: FAKE_TEAM.channelId, initial_comment: 'This week', file: PNG, filename: 'board.png', title: 'The board', alt_text: 'A board' });
    const [file] = (await shared) as [FakeSlackFile];
    assert.equal(file.channelId, FAKE_TEAM.channelId);
    assert.equal(file.name, 'board.png');
    assert.equal(file.title, 'The board');
    assert.equal(file.initialComment, 'This week');
    assert.equal(file.altText, 'A board');
    assert.equal(file.mimetype, 'image/png');
    assert.ok(file.bytes.equals(PNG));
    assert.equal(fake.files.at(-1), file);
    // uploadV2 answers one completeUploadExternal result per share.
    const completed = (result as unknown as { files: { files: { id: string; name: string; title: string; mimetype: string; size: number; url_private: string }[] }[] }).files[0]!.files[0]!;
    assert.deepEqual([completed.id, completed.name, completed.title, completed.mimetype, completed.size], [file.id, 'board.png', 'The board', 'image/png', PNG.length]);
    const download = await fetch(completed.url_private, { headers: { authorization: `Bearer ${fake.botToken}` } });
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(PNG));
    assert.equal((await fetch(completed.url_private)).status, 404, 'url_private needs the token');
  });

  it('shares into a direct message by its D… id from conversations.open, not by a user id', async () => {
    const dm = (await client.conversations.open({ users: SLACK_MEMBER.id })).channel!.id!;
    assert.match(dm, /^D/);
    await client.files.uploadV2({ channel_id: dm, file: PNG, filename: 'mine.png' });
    assert.equal(fake.files.at(-1)?.channelId, dm);
    assert.equal((await refusal(client.files.uploadV2({ channel_id: SLACK_MEMBER.id, file: PNG, filename: 'x.png' }))).error, 'channel_not_found');
    assert.equal((await refusal(client.files.uploadV2({ channel_id: 'C0NOWHERE', file: PNG, filename: 'x.png' }))).error, 'channel_not_found');
  });

  it('takes several files in one share, and none without a channel (the file stays private)', async () => {
    const before = fake.files.length;
    await client.files.uploadV2({
      channel_id: FAKE_TEAM.otherChannelId,
      file_uploads: [
        { file: PNG, filename: 'a.png' },
        { file: Buffer.from('x,y\n'), filename: 'b.csv' },
      ],
    });
    assert.deepEqual(
      fake.files.slice(before).map((f) => [f.name, f.mimetype, f.channelId]),
      [
        ['a.png', 'image/png', FAKE_TEAM.otherChannelId],
        ['b.csv', 'text/csv', FAKE_TEAM.otherChannelId],
      ],
    );
    await client.files.uploadV2({ file: PNG, filename: 'private.png' });
    assert.equal(fake.files.at(-1)?.channelId, undefined);
  });

  it('refuses a missing or non-positive length, and a missing filename, with invalid_arguments', async () => {
    for (const args of [{ filename: 'a.png' }, { filename: 'a.png', length: 0 }, { filename: 'a.png', length: 'ten' }, { length: 5 }]) {
      const answer = (await (await fetch(`${fake.apiUrl}files.getUploadURLExternal`, { method: 'POST', headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/json' }, body: JSON.stringify(args) })).json()) as { ok: boolean; error: string };
      assert.deepEqual([answer.ok, answer.error], [false, 'invalid_arguments'], JSON.stringify(args));
    }
  });

  it('refuses bytes that do not match the announced length; the file cannot be completed', async () => {
    const short = await upload('short.png', PNG.length + 1, PNG);
    assert.equal(short.status, 400);
    assert.match(short.text, /length mismatch/);
    assert.equal((await refusal(client.files.completeUploadExternal({ files: [{ id: short.fileId }], channel_id: FAKE_TEAM.channelId }))).error, 'file_not_found');
    // Right bytes, but never completed: not a file yet.
    const before = fake.files.length;
    const body = await upload('right.png', PNG.length, PNG);
    assert.deepEqual([body.status, body.text], [200, `OK - ${PNG.length}`]);
    assert.equal(fake.files.length, before, 'uploaded but not completed is not a file yet');
  });

  it('accepts the multipart body uploadV2 sends to the upload URL, and completes each file once', async () => {
    const started = await client.files.getUploadURLExternal({ filename: 'm.png', length: PNG.length });
    const form = new FormData();
    form.append('body', new Blob([new Uint8Array(PNG)]), 'Untitled');
    assert.equal((await fetch(started.upload_url!, { method: 'POST', body: form })).status, 200);
    await client.files.completeUploadExternal({ files: [{ id: started.file_id!, title: 'M' }], channel_id: FAKE_TEAM.channelId });
    assert.ok(fake.files.at(-1)?.bytes.equals(PNG));
    assert.equal(fake.files.at(-1)?.title, 'M');
    assert.equal((await refusal(client.files.completeUploadExternal({ files: [{ id: started.file_id! }] }))).error, 'file_not_found', 'completed once only');
    assert.equal((await refusal(client.files.completeUploadExternal({ files: [{ id: 'F0NEVER' }] }))).error, 'file_not_found');
  });

  it('answers missing_scope when files:write is withheld, and 503 in an outage', async () => {
    fake.missingScopes.set('files.getUploadURLExternal', 'files:write');
    const data = await refusal(client.files.uploadV2({ channel_id: FAKE_TEAM.channelId, file: PNG, filename: 'a.png' }));
    assert.deepEqual([data.error, data.needed], ['missing_scope', 'files:write']);
    fake.missingScopes.delete('files.getUploadURLExternal');
    const started = await client.files.getUploadURLExternal({ filename: 'o.png', length: PNG.length });
    fake.outage = true;
    try {
      assert.equal((await fetch(started.upload_url!, { method: 'POST', body: new Uint8Array(PNG) })).status, 503);
    } finally {
      fake.outage = false;
    }
  });
});
