import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.ts';
import type { Services } from '../../../src/chat/context.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';
import { createRegistry } from '../../../src/chat/registry.ts';
import type { Reply, ReplyFile } from '../../../src/chat/reply.ts';
import { FakeDiscord, FAKE_IDS, MEMBER, type RecordedResponse } from '../../fakes/discord/fake-discord.ts';
import { delayedCommand, PNG_BASE64 } from '../../helpers/slow-command.ts';
import { testServices } from '../../helpers/test-services.ts';

/** Reply files on Discord: attachments sent as multipart/form-data, on interaction replies, edits, follow-ups and outbox posts. */

const EPHEMERAL = 64;
const NOW = new Date('2026-12-10T12:00:00Z');
const PNG = Buffer.from(PNG_BASE64, 'base64');
const CSV = Buffer.from('rank,learner,points\n1,ada,120\n2,grace,95\n', 'utf8');

const png: ReplyFile = { name: 'leaderboard.png', contentType: 'image/png', base64: PNG_BASE64, description: 'The Winter leaderboard: ada first with 120 points' };
const csv: ReplyFile = { name: 'leaderboard.csv', contentType: 'text/csv', base64: CSV.toString('base64'), description: 'The leaderboard as a table' };

const fileCommand = (name: string, reply: Reply, delayMs = 0) => delayedCommand(name, reply, delayMs);

type Data = { flags?: number; embeds?: { title?: string }[]; attachments?: { id: string | number; description?: string }[]; content?: string };

describe('Discord reply files', { timeout: 60_000 }, () => {
  let fake: FakeDiscord;
  let adapter: DiscordAdapter;
  let services: Services;

  before(async () => {
    fake = await FakeDiscord.start();
    services = (await testServices(NOW)).services;
    adapter = createDiscordAdapter({
      config: { token: fake.token, applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, apiUrl: fake.apiUrl },
      registry: createRegistry([
        ...(await loadCommands()),
        fileCommand('board-files', { title: 'Your board', files: [png, csv], private: true }),
        fileCommand('board-slow', { title: 'Your slow board', files: [png], private: true }, 150),
        fileCommand('board-public', { title: 'Board for all', files: [csv], private: false }),
        fileCommand('board-public-slow', { title: 'Slow board for all', files: [png], private: false }, 150),
      ]),
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

  const run = async (command: string, count = 1): Promise<RecordedResponse[]> => fake.responsesFor(fake.sendInteraction({ user: MEMBER, command }), count);

  it('an ephemeral reply carries its files as multipart attachments, bytes and names intact', async () => {
    const [callback] = await run('board-files');
    assert.equal(callback?.kind, 'callback');
    assert.equal(callback?.body.type, 4);
    const data = callback?.body.data as Data;
    assert.equal((data.flags ?? 0) & EPHEMERAL, EPHEMERAL, 'still ephemeral with files');
    assert.equal(data.embeds?.[0]?.title, 'Your board');
    assert.deepEqual(
      callback?.files.map((f) => [f.index, f.name]),
      [
        [0, 'leaderboard.png'],
        [1, 'leaderboard.csv'],
      ],
    );
    assert.ok(callback?.files[0]?.bytes.equals(PNG), 'the PNG bytes arrive unchanged');
    assert.ok(callback?.files[1]?.bytes.equals(CSV), 'the CSV bytes arrive unchanged');
    // discord.js names each file in `attachments` (id n for files[n]) with its description (alt text).
    assert.deepEqual(
      data.attachments?.map((a) => [String(a.id), a.description]),
      [
        ['0', png.description],
        ['1', csv.description],
      ],
    );
    assert.equal(callback?.files[0]?.contentType, 'image/png');
    const [first] = callback?.attachments ?? [];
    assert.equal(first?.ephemeral, true);
    assert.equal(first?.content_type, 'image/png');
    const served = Buffer.from(await (await fetch(first!.url)).arrayBuffer());
    assert.ok(served.equals(PNG), 'the attachment URL serves the bytes');
  });

  it('a slow private answer is deferred ephemerally and its file arrives in the edit', async () => {
    const [deferred, edit] = await run('board-slow', 2);
    assert.equal(deferred?.body.type, 5);
    assert.equal(((deferred?.body.data as Data | undefined)?.flags ?? 0) & EPHEMERAL, EPHEMERAL);
    assert.deepEqual(deferred?.files, [], 'the deferral carries nothing');
    assert.equal(edit?.kind, 'edit');
    assert.equal((edit?.body as Data).embeds?.[0]?.title, 'Your slow board');
    assert.equal(edit?.files.length, 1);
    assert.equal(edit?.files[0]?.name, 'leaderboard.png');
    assert.ok(edit?.files[0]?.bytes.equals(PNG));
    assert.equal(edit?.attachments[0]?.ephemeral, true, 'the edit of an ephemeral deferral stays ephemeral');
  });

  it('a public answer attaches its file for the channel to see', async () => {
    const [callback] = await run('board-public');
    const data = callback?.body.data as Data;
    assert.equal((data.flags ?? 0) & EPHEMERAL, 0);
    assert.equal(callback?.files[0]?.name, 'leaderboard.csv');
    assert.ok(callback?.files[0]?.bytes.equals(CSV));
    // discord.js cannot say a Buffer's type and CSV has no magic bytes: the part is octet-stream; Discord names it by extension.
    assert.equal(callback?.files[0]?.contentType, 'application/octet-stream');
    assert.match(callback?.attachments[0]?.content_type ?? '', /^text\/csv/);
  });

  it('a slow public answer says so in the private deferral and follows up with the file', async () => {
    const [, edit, followUp] = await run('board-public-slow', 3);
    assert.equal((edit?.body as Data).content, 'Posted in the channel.');
    assert.deepEqual(edit?.files, []);
    assert.equal(followUp?.kind, 'followup');
    assert.equal(((followUp?.body as Data).flags ?? 0) & EPHEMERAL, 0);
    assert.ok(followUp?.files[0]?.bytes.equals(PNG));
  });

  it('deliver posts a channel message with its file as multipart, keeping the nonce', async () => {
    const id = await adapter.deliver({ channelId: FAKE_IDS.channelId, payload: { title: 'Weekly board', files: [png, csv], private: false }, key: 'outbox-files-1' });
    const posted = fake.channelMessages.at(-1)!;
    assert.equal(posted.id, id);
    assert.equal(posted.channelId, FAKE_IDS.channelId);
    assert.equal(posted.body.nonce, 'outbox-files-1');
    assert.equal(posted.body.enforce_nonce, true);
    assert.equal((posted.body.embeds as { title?: string }[])[0]?.title, 'Weekly board');
    assert.deepEqual(
      posted.files.map((f) => [f.name, f.contentType]),
      [
        ['leaderboard.png', 'image/png'],
        ['leaderboard.csv', 'text/csv'],
      ],
    );
    assert.ok(posted.files[0]?.bytes.equals(PNG));
    assert.ok(posted.files[1]?.bytes.equals(CSV));
    assert.deepEqual(
      (posted.body.attachments as { id: number; filename: string; description: string }[]).map((a) => [a.id, a.filename, a.description]),
      [
        [0, 'leaderboard.png', png.description],
        [1, 'leaderboard.csv', csv.description],
      ],
    );
    // The same outbox row again: Discord's nonce returns the first message, nothing new is posted.
    const before = fake.channelMessages.length;
    assert.equal(await adapter.deliver({ channelId: FAKE_IDS.channelId, payload: { title: 'Weekly board', files: [png, csv], private: false }, key: 'outbox-files-1' }), id);
    assert.equal(fake.channelMessages.length, before);
  });

  it('deliver of a direct message attaches the file in the DM channel', async () => {
    await adapter.deliver({ channelId: FAKE_IDS.channelId, recipientUserId: MEMBER.id, payload: { title: 'Your board', files: [png], private: false }, key: 'outbox-files-dm' });
    const posted = fake.channelMessages.at(-1)!;
    assert.equal(posted.channelId, fake.dmChannels.get(MEMBER.id));
    assert.ok(posted.files[0]?.bytes.equals(PNG));
  });
});
