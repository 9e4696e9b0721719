import { randomBytes } from 'node:crypto';
import { isMultipart, MultipartError, parseMultipart } from '../discord/multipart.ts';

/**
 * What FakeSlack keeps of file uploads, Slack's external upload flow (what WebClient's files.uploadV2 does):
 * 1. files.getUploadURLExternal (`filename`, `length`) answers a one-file `upload_url` and a `file_id`;
 * 2. the bytes are POSTed to the upload_url, raw or as multipart/form-data (@slack/web-api sends one file part named
 *    `body`, filename "Untitled"), and must be exactly `length` bytes;
 * 3. files.completeUploadExternal (`files`: [{ id, title }], optional `channel_id`, `initial_comment`, `thread_ts`)
 *    finishes the upload, once, sharing the files into the channel (or keeping them private without one).
 * An upload that is never completed is not a file. Error codes are Slack's documented ones where it has them.
 */

/** A completed upload: what the app shared, with the bytes as received. */
export interface FakeSlackFile {
  id: string;
  name: string;
  title: string;
  bytes: Buffer;
  mimetype: string;
  /** The conversation it was shared into (a D… id for a direct message); none when the upload stayed private. */
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
  altText?: string;
}

type Params = Record<string, unknown>;
type Answer = Record<string, unknown> & { ok: boolean };

interface Pending {
  id: string;
  filename: string;
  length: number;
  altText?: string;
  uploadToken: string;
  bytes?: Buffer;
}

/** Slack's limit on alt text (`alt_txt_too_large`). */
const ALT_TEXT_MAX = 1000;
const TEAM = 'T0COHORT1';

export class FakeFiles {
  /** Completed uploads, in order. */
  readonly completed: FakeSlackFile[] = [];
  /** Started uploads not yet completed, by file id. */
  private readonly pending = new Map<string, Pending>();
  private readonly byUploadToken = new Map<string, string>();
  private nextId = 1;

  constructor(private readonly baseUrl: () => string) {}

  /** files.getUploadURLExternal. */
  getUploadURL(params: Params): Answer {
    const filename = typeof params.filename === 'string' ? params.filename : '';
    if (filename === '') return invalidArguments('missing required field: filename');
    const lengthText = typeof params.length === 'number' ? String(params.length) : typeof params.length === 'string' ? params.length : '';
    if (lengthText === '') return invalidArguments('missing required field: length');
    if (!/^\d+$/.test(lengthText) || Number(lengthText) <= 0) return invalidArguments('length must be a positive integer');
    // The Web API's field is alt_txt in Slack's method docs; @slack/web-api sends alt_text. Both are read.
    const alt = [params.alt_txt, params.alt_text].find((a): a is string => typeof a === 'string' && a !== '');
    if (alt !== undefined && [...alt].length > ALT_TEXT_MAX) return { ok: false, error: 'alt_txt_too_large' };
    const id = `F0FILE${String(this.nextId++).padStart(5, '0')}`;
    const uploadToken = randomBytes(24).toString('base64url');
    this.pending.set(id, { id, filename, length: Number(lengthText), uploadToken, ...(alt !== undefined ? { altText: alt } : {}) });
    this.byUploadToken.set(uploadToken, id);
    return { ok: true, upload_url: `${this.baseUrl()}/upload/v1/${uploadToken}`, file_id: id };
  }

  /**
   * A POST to an upload_url: the raw bytes, or multipart/form-data with one file part. Answered as files.slack.com
   * answers, in plain text: 200 `OK - <bytes>`, else an error status. Uploading again before completion replaces the bytes.
   */
  receive(uploadToken: string, body: Buffer, contentType: string | undefined): { status: number; text: string } {
    const id = this.byUploadToken.get(uploadToken);
    const pending = id ? this.pending.get(id) : undefined;
    if (!pending) return { status: 404, text: 'upload url not found or already completed' };
    let bytes = body;
    if (isMultipart(contentType)) {
      let fileParts;
      try {
        fileParts = parseMultipart(body, contentType).filter((part) => part.filename !== undefined);
      } catch (error) {
        if (error instanceof MultipartError) return { status: 400, text: `malformed multipart body: ${error.message}` };
        throw error;
      }
      if (fileParts.length !== 1) return { status: 400, text: `expected one file part, got ${fileParts.length}` };
      bytes = fileParts[0]?.data ?? Buffer.alloc(0);
    }
    if (bytes.length !== pending.length) return { status: 400, text: `length mismatch: expected ${pending.length} bytes, got ${bytes.length}` };
    pending.bytes = Buffer.from(bytes);
    return { status: 200, text: `OK - ${bytes.length}` };
  }

  /**
   * files.completeUploadExternal. `knows` says whether a channel id is a conversation this Slack has (C…, or a D…
   * from conversations.open). Every id must be uploaded and not completed yet; nothing is completed if one is not.
   */
  complete(params: Params, knows: (channelId: string) => boolean): { answer: Answer; records: FakeSlackFile[] } {
    let list: unknown = params.files;
    if (typeof list === 'string') {
      try {
        list = JSON.parse(list);
      } catch {
        return { answer: invalidArguments('files must be a JSON array', '/files'), records: [] };
      }
    }
    if (list === undefined) return { answer: invalidArguments('missing required field: files'), records: [] };
    if (!Array.isArray(list) || list.length === 0) return { answer: invalidArguments('files must be a non-empty array', '/files'), records: [] };
    const entries: { id: string; title?: string }[] = [];
    for (const [i, entry] of list.entries()) {
      if (typeof entry !== 'object' || entry === null || typeof (entry as Params).id !== 'string') {
        return { answer: invalidArguments('missing required field: id', `/files/${i}/id`), records: [] };
      }
      const { id, title } = entry as Params;
      entries.push({ id: id as string, ...(typeof title === 'string' && title !== '' ? { title } : {}) });
    }
    for (const { id } of entries) {
      const pending = this.pending.get(id);
      // Unknown, already completed (it can be completed once), or its bytes never arrived at the upload_url.
      if (!pending || !pending.bytes) return { answer: { ok: false, error: 'file_not_found' }, records: [] };
    }
    // channel_id; `channels` (comma-separated, the older argument) is read for one channel only, as uploadV2 allows.
    const channelId = typeof params.channel_id === 'string' && params.channel_id !== '' ? params.channel_id : typeof params.channels === 'string' && params.channels !== '' ? params.channels : undefined;
    if (channelId !== undefined && (channelId.includes(',') || !knows(channelId))) return { answer: { ok: false, error: 'channel_not_found' }, records: [] };
    const initialComment = typeof params.initial_comment === 'string' && params.initial_comment !== '' ? params.initial_comment : undefined;
    const threadTs = typeof params.thread_ts === 'string' && params.thread_ts !== '' ? params.thread_ts : undefined;
    const now = Math.floor(Date.now() / 1000);
    const records = entries.map(({ id, title }) => {
      const pending = this.pending.get(id) as Pending & { bytes: Buffer };
      this.pending.delete(id);
      this.byUploadToken.delete(pending.uploadToken);
      const record: FakeSlackFile = {
        id,
        name: pending.filename,
        title: title ?? pending.filename,
        bytes: pending.bytes,
        mimetype: mimetypeOf(pending.filename),
        ...(channelId !== undefined ? { channelId } : {}),
        ...(initialComment !== undefined ? { initialComment } : {}),
        ...(threadTs !== undefined ? { threadTs } : {}),
        ...(pending.altText !== undefined ? { altText: pending.altText } : {}),
      };
      this.completed.push(record);
      return record;
    });
    return { answer: { ok: true, files: records.map((record) => this.fileObject(record, now)) }, records };
  }

  /** The bytes behind a url_private (`/files-pri/T…-F…/name`), for a GET with the bot token. */
  download(teamAndId: string): FakeSlackFile | undefined {
    const id = teamAndId.split('-').at(-1);
    return this.completed.find((file) => file.id === id);
  }

  /**
   * A file object as completeUploadExternal answers it. Sharing is asynchronous on Slack, so the answer does not
   * list the channel yet (`channels`, `ims` and `shares` are empty); the fake records where it was shared.
   */
  private fileObject(record: FakeSlackFile, now: number): Record<string, unknown> {
    const url = `${this.baseUrl()}/files-pri/${TEAM}-${record.id}/${encodeURIComponent(record.name)}`;
    return {
      id: record.id,
      created: now,
      timestamp: now,
      name: record.name,
      title: record.title,
      mimetype: record.mimetype,
      filetype: filetypeOf(record.name),
      pretty_type: filetypeOf(record.name).toUpperCase(),
      user: 'U0BOT',
      user_team: TEAM,
      editable: false,
      size: record.bytes.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: false,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: url,
      url_private_download: `${url}?download=1`,
      permalink: `https://rust-cohort.slack.com/files/U0BOT/${record.id}/${encodeURIComponent(record.name)}`,
      permalink_public: `https://slack-files.com/${TEAM}-${record.id}-0000000000`,
      ...(record.altText !== undefined ? { alt_txt: record.altText } : {}),
      comments_count: 0,
      is_starred: false,
      shares: {},
      channels: [],
      groups: [],
      ims: [],
      has_rich_preview: false,
      file_access: 'visible',
    };
  }
}

function mimetypeOf(filename: string): string {
  const types: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', csv: 'text/csv', txt: 'text/plain', json: 'application/json', pdf: 'application/pdf' };
  return types[filetypeOf(filename)] ?? 'application/octet-stream';
}

function filetypeOf(filename: string): string {
  return /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? 'binary';
}

/** How Slack refuses a bad argument: invalid_arguments with a pointer in response_metadata. */
function invalidArguments(problem: string, pointer = '/'): Answer {
  return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [`[ERROR] ${problem} [json-pointer:${pointer}]`] } };
}
