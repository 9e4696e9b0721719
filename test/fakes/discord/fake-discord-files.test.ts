import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeDiscord, FAKE_IDS, MEMBER, UPLOAD_LIMITS } from './fake-discord.ts';
import { MultipartError, parseMultipart } from './multipart.ts';

/**
 * The fake's rules for uploads, proven with plain fetch and FormData (the multipart/form-data Node sends, as
 * @discordjs/rest does): `payload_json` plus `files[n]` parts, each named by an `attachments` entry with id n.
 */

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

type Json = Record<string, unknown>;

function form(payload: unknown, files: { name: string; data: Buffer; type?: string; index?: number }[]): FormData {
  const body = new FormData();
  files.forEach((file, i) => body.append(`files[${file.index ?? i}]`, new Blob([new Uint8Array(file.data)], file.type ? { type: file.type } : {}), file.name));
  if (payload !== undefined) body.append('payload_json', JSON.stringify(payload));
  return body;
}

describe('fake Discord takes files as Discord does', { timeout: 20_000 }, () => {
  let fake: FakeDiscord;

  before(async () => {
    fake = await FakeDiscord.start();
  });
  after(() => fake.close());

  async function send(method: string, path: string, body: FormData): Promise<{ status: number; json: Json | undefined }> {
    const res = await fetch(`${fake.apiUrl}/v10${path}`, { method, headers: { authorization: `Bot ${fake.token}` }, body });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Json) : undefined };
  }
  const postMessage = (body: FormData) => send('POST', `/channels/${FAKE_IDS.channelId}/messages`, body);

  function errorCodesAt(json: Json | undefined, path: (string | number)[]): string[] {
    assert.equal(json?.code, 50035);
    let node = json?.errors as Json | undefined;
    for (const key of path) node = node?.[String(key)] as Json | undefined;
    return ((node?._errors as { code: string }[] | undefined) ?? []).map((e) => e.code);
  }

  it('posts a message with a file: recorded with its bytes, echoed as an attachment whose URL serves them', async () => {
    const { status, json } = await postMessage(
      form({ content: 'Board', attachments: [{ id: 0, filename: 'board.png', description: 'The board' }] }, [{ name: 'board.png', data: PNG, type: 'image/png' }]),
    );
    assert.equal(status, 200);
    const posted = fake.channelMessages.at(-1)!;
    assert.equal(posted.body.content, 'Board');
    assert.deepEqual(
      posted.files.map((f) => [f.index, f.name, f.contentType]),
      [[0, 'board.png', 'image/png']],
    );
    assert.ok(posted.files[0]?.bytes.equals(PNG));
    const [attachment] = json?.attachments as { id: string; filename: string; size: number; url: string; content_type: string; description: string }[];
    assert.equal(attachment?.filename, 'board.png');
    assert.equal(attachment?.size, PNG.length);
    assert.equal(attachment?.content_type, 'image/png');
    assert.equal(attachment?.description, 'The board');
    assert.match(attachment?.id ?? '', /^\d{17,20}$/);
    const served = await fetch(attachment!.url);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(PNG));
  });

  it('takes files without an attachments list, naming them by the part', async () => {
    const { status, json } = await postMessage(form({ content: 'x' }, [{ name: 'scores.csv', data: Buffer.from('a,b\n1,2\n') }]));
    assert.equal(status, 200);
    const [attachment] = json?.attachments as { filename: string; content_type: string }[];
    assert.equal(attachment?.filename, 'scores.csv');
    assert.equal(attachment?.content_type, 'text/csv; charset=utf-8', 'an octet-stream part is typed by its extension');
  });

  it('refuses a file part that no attachments entry names, and posts nothing', async () => {
    const before = fake.channelMessages.length;
    const { status, json } = await postMessage(
      form({ content: 'x', attachments: [{ id: 0, filename: 'a.png' }] }, [
        { name: 'a.png', data: PNG },
        { name: 'b.png', data: PNG },
      ]),
    );
    assert.equal(status, 400);
    assert.deepEqual(errorCodesAt(json, ['files[1]']), ['ATTACHMENT_NOT_REFERENCED']);
    assert.equal(fake.channelMessages.length, before);
  });

  it('refuses an attachments entry whose file was not uploaded', async () => {
    const { status, json } = await postMessage(form({ content: 'x', attachments: [{ id: 0 }, { id: 1 }] }, [{ name: 'a.png', data: PNG }]));
    assert.equal(status, 400);
    assert.deepEqual(errorCodesAt(json, ['attachments', 1, 'id']), ['ATTACHMENT_NOT_FOUND']);
  });

  it('refuses 11 files, and more than 25 MiB in one request (413, 40005)', async () => {
    const eleven = Array.from({ length: UPLOAD_LIMITS.files + 1 }, (_, i) => ({ name: `f${i}.png`, data: PNG }));
    const many = await postMessage(form({ content: 'x' }, eleven));
    assert.equal(many.status, 400);
    assert.deepEqual(errorCodesAt(many.json, ['files']), ['BASE_TYPE_MAX_LENGTH']);
    const big = await postMessage(form({ content: 'x' }, [{ name: 'big.csv', data: Buffer.alloc(UPLOAD_LIMITS.totalBytes + 1, 0x61) }]));
    assert.equal(big.status, 413);
    assert.equal(big.json?.code, 40005);
  });

  it('still checks the embeds and components inside payload_json', async () => {
    const { status, json } = await postMessage(
      form({ components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'x'.repeat(101) }] }], attachments: [{ id: 0 }] }, [{ name: 'a.png', data: PNG }]),
    );
    assert.equal(status, 400);
    assert.deepEqual(errorCodesAt(json, ['components', 0, 'components', 0, 'custom_id']), ['BASE_TYPE_BAD_LENGTH']);
  });

  it('refuses payload_json that is not JSON (50109) and parts it does not model', async () => {
    const bad = new FormData();
    bad.append('payload_json', '{not json');
    assert.equal((await postMessage(bad)).json?.code, 50109);
    const odd = new FormData();
    odd.append('file', new Blob([new Uint8Array(PNG)]), 'a.png');
    const refused = await postMessage(odd);
    assert.equal(refused.status, 400);
    assert.deepEqual(errorCodesAt(refused.json, ['file']), ['FAKE_UNSUPPORTED']);
  });

  it('takes files on an interaction callback (attachments inside data) and on webhook edits and follow-ups', async () => {
    const token = fake.sendInteraction({ user: MEMBER, command: 'help' });
    // The adapter under test is not running: the test answers the interaction itself.
    const refused = await send('POST', `/interactions/1/${token}/callback`, form({ type: 4, data: { content: 'x', attachments: [] } }, [{ name: 'a.png', data: PNG }]));
    assert.equal(refused.status, 400);
    assert.deepEqual(errorCodesAt(refused.json, ['files[0]']), ['ATTACHMENT_NOT_REFERENCED']);
    const callback = await send('POST', `/interactions/1/${token}/callback`, form({ type: 4, data: { content: 'x', flags: 64, attachments: [{ id: '0' }] } }, [{ name: 'a.png', data: PNG }]));
    assert.equal(callback.status, 204);
    const edit = await send('PATCH', `/webhooks/${FAKE_IDS.applicationId}/${token}/messages/@original`, form({ content: 'y', attachments: [{ id: 0 }] }, [{ name: 'b.png', data: PNG }]));
    assert.equal(edit.status, 200);
    assert.equal((edit.json?.attachments as { filename: string }[])[0]?.filename, 'b.png');
    const followUp = await send('POST', `/webhooks/${FAKE_IDS.applicationId}/${token}`, form({ content: 'z' }, [{ name: 'c.png', data: PNG }]));
    assert.equal(followUp.status, 200);
    const log = fake.responses.get(token) ?? [];
    assert.deepEqual(
      log.map((r) => [r.kind, r.files.map((f) => f.name)]),
      [
        ['callback', ['a.png']],
        ['edit', ['b.png']],
        ['followup', ['c.png']],
      ],
    );
  });

  it('a JSON body is recorded with no files, as before', async () => {
    const res = await fetch(`${fake.apiUrl}/v10/channels/${FAKE_IDS.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'plain' }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as Json).attachments, []);
    assert.deepEqual(fake.channelMessages.at(-1)?.files, []);
  });
});

describe('the multipart reader', () => {
  it('reads what Node’s FormData writes, and refuses a body without its closing boundary', async () => {
    const body = new FormData();
    body.append('payload_json', '{"a":1}');
    body.append('files[0]', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'we"ird.png');
    const request = new Request('http://x/', { method: 'POST', body });
    const raw = Buffer.from(await request.arrayBuffer());
    const type = request.headers.get('content-type') ?? undefined;
    const parts = parseMultipart(raw, type);
    assert.deepEqual(
      parts.map((p) => [p.name, p.filename, p.contentType]),
      [
        ['payload_json', undefined, undefined],
        ['files[0]', 'we"ird.png', 'image/png'],
      ],
    );
    assert.ok(parts[1]?.data.equals(PNG));
    assert.throws(() => parseMultipart(raw.subarray(0, raw.length - 10), type), MultipartError);
  });
});
