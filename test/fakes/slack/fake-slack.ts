import { createHmac } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { blockKitProblems } from './block-kit.ts';
import { FakeConversations, parseMetadata, type MessageMetadata } from './fake-conversations.ts';
import { FakeFiles, type FakeSlackFile } from './fake-files.ts';
import { FakeViews, type View } from './fake-views.ts';
import { appHomeOpenedEnvelope, blockActionsPayload, blocksWithButton, findButton, type BlockActionInput, type BlockActionsPayload, type ClickedSurface, type SlackUser } from './interactions.ts';
import { applyFault, type FaultPlan } from '../fault-plan.ts';

const SENDS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);

/**
 * A fake Slack Web API on 127.0.0.1 (auth.test, users.info, chat.postMessage with metadata, chat.postEphemeral,
 * chat.update, conversations.open, conversations.history, views.publish and views.open, file uploads through
 * files.getUploadURLExternal, an upload URL and files.completeUploadExternal) and a response_url sink, so
 * Bolt's WebClient runs unmodified with `slackApiUrl` pointed here. Requests are recorded. Blocks are checked as
 * Slack checks them (block-kit.ts). It also makes what Slack sends the app: slash commands, button clicks
 * (block_actions) and app_home_opened events, for the request URL or over Socket Mode.
 */

export const FAKE_TEAM = { teamId: 'T0COHORT1', channelId: 'C0COHORT1', otherChannelId: 'C0COHORT2' } as const;
export const SLACK_MEMBER = { id: 'U0LEARNER1', name: 'ada' } as const;
export const SLACK_ADMIN = { id: 'U0ADMIN1', name: 'grace' } as const;

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/slack/slash-command.json');
const slashTemplate = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, string>;

export class FakeSlack extends EventEmitter {
  readonly calls: { method: string; params: Record<string, unknown>; status: number }[] = [];
  /** `channel` as the app gave it (a user id for a direct message). */
  readonly posted: { channel: string; text: string; blocks: unknown[]; ts: string; metadata?: MessageMetadata }[] = [];
  /** Channel histories and the app's direct message channels. */
  readonly conversations = new FakeConversations([FAKE_TEAM.channelId, FAKE_TEAM.otherChannelId]);
  /** What the app sent to response_urls; `invalid` says why Slack would have refused it (400 invalid_blocks). */
  /** chat.update calls that changed a message, in order. */
  readonly updates: { channel: string; ts: string; text: string; blocks: unknown[] }[] = [];
  readonly responses: { id: string; body: Record<string, unknown>; invalid: string | undefined }[] = [];
  /** Home tabs, opened modals and the trigger ids views.open accepts. */
  readonly views = new FakeViews();
  /** File uploads: started (files.getUploadURLExternal), bytes received at the upload URL, completed and shared. */
  readonly uploads = new FakeFiles(() => `http://127.0.0.1:${this.port}`);
  readonly admins = new Set<string>([SLACK_ADMIN.id]);
  /** While true, every Web API call is answered 503. */
  outage = false;
  /** Random faults on what the bot sends (the chaos suite). */
  chaos: FaultPlan | undefined;
  /** Web API methods answered with missing_scope, as when the app was installed without that scope. */
  readonly missingScopes = new Map<string, string>();
  /** users.info answers after this long, like a Slack API having a slow moment. */
  usersInfoDelayMs = 0;
  private rateLimitsLeft = 0;
  private rateLimitSeconds = 1;
  private nextTs = 1_700_000_000;
  private nextEventId = 1;
  private readonly http: Server;
  private readonly sockets = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  port = 0;

  constructor(
    readonly botToken: string,
    readonly appToken: string,
  ) {
    super();
    this.http = createServer((req, res) => void this.handle(req, res));
    // Socket Mode: the URL apps.connections.open hands out; the app receives envelopes and acks them here.
    this.http.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket')) return socket.destroy();
      this.sockets.handleUpgrade(req, socket, head, (ws) => {
        this.socket = ws;
        ws.on('message', (data) => this.emit('socketAck', JSON.parse(String(data)) as { envelope_id: string; payload?: Record<string, unknown> }));
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0COHORTBOT' }, debug_info: { host: 'fake' } }));
        this.emit('socketConnected');
      });
    });
  }

  static async start(botToken = 'xoxb-fake-bot-token', appToken = 'xapp-fake-app-token'): Promise<FakeSlack> {
    const fake = new FakeSlack(botToken, appToken);
    fake.http.listen(0, '127.0.0.1');
    await once(fake.http, 'listening');
    fake.port = (fake.http.address() as AddressInfo).port;
    return fake;
  }

  /** What `SLACK_API_URL` is set to. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** The Home tab each user sees now (views.publish), by user id. */
  get homeViews(): Map<string, View> {
    return this.views.homeViews;
  }

  get publishedViews(): { userId: string; view: View }[] {
    return this.views.published;
  }

  get openedViews(): { userId: string; triggerId: string; view: View }[] {
    return this.views.opened;
  }

  /** Completed uploads (files.completeUploadExternal), with their bytes and the conversation they were shared into; each shared one emits 'fileShared'. */
  get files(): FakeSlackFile[] {
    return this.uploads.completed;
  }

  /** Resolves with the next file shared into `channelId` (or any conversation), or the first already shared there after `since` files. */
  async fileSharedIn(channelId?: string, since = 0): Promise<FakeSlackFile> {
    for (;;) {
      const found = this.files.slice(since).find((file) => file.channelId !== undefined && (channelId === undefined || file.channelId === channelId));
      if (found) return found;
      await once(this, 'fileShared');
    }
  }

  /** Someone deleted a message in a channel: updating it now answers message_not_found. */
  deleteMessage(channel: string, ts: string): void {
    this.conversations.remove(channel, ts);
  }

  rateLimitPostMessage(count: number, seconds = 1): void {
    this.rateLimitsLeft = count;
    this.rateLimitSeconds = seconds;
  }

  /** A slash-command form body as Slack sends it, with its response_url pointing at this fake and a fresh trigger id. */
  slashCommand(input: { command: string; text?: string; user?: SlackUser; channelId?: string }): { body: string; responseId: string; triggerId: string } {
    const responseId = `r${this.nextTs++}`;
    const triggerId = this.views.issueTrigger(input.user?.id ?? SLACK_MEMBER.id);
    const fields = {
      ...slashTemplate,
      command: input.command,
      text: input.text ?? '',
      user_id: input.user?.id ?? SLACK_MEMBER.id,
      user_name: input.user?.name ?? SLACK_MEMBER.name,
      channel_id: input.channelId ?? FAKE_TEAM.channelId,
      team_id: FAKE_TEAM.teamId,
      response_url: this.responseUrl(responseId),
      trigger_id: triggerId,
    };
    return { body: new URLSearchParams(fields).toString(), responseId, triggerId };
  }

  /**
   * A click on a button, as the form body (`payload=<json>`) Slack POSTs to the request URL. In a message: the newest
   * message the app posted with that button (or one made up around it), and a response_url into this fake. In the
   * Home tab: the user's published Home view (or one made up around the button), no channel and no response_url.
   * Always a fresh trigger id, which views.open accepts once within 3 seconds.
   */
  blockAction(input: BlockActionInput & { container: 'message' }): { body: string; responseId: string; triggerId: string; payload: BlockActionsPayload };
  blockAction(input: BlockActionInput): { body: string; responseId: string | undefined; triggerId: string; payload: BlockActionsPayload };
  blockAction(input: BlockActionInput): { body: string; responseId: string | undefined; triggerId: string; payload: BlockActionsPayload } {
    const user = input.user ?? SLACK_MEMBER;
    const triggerId = this.views.issueTrigger(user.id);
    let surface: ClickedSurface;
    let responseId: string | undefined;
    if (input.container === 'home') {
      surface = { kind: 'home', view: this.views.homeViews.get(user.id) ?? this.views.output({ type: 'home', blocks: blocksWithButton(input.actionId, input.value) }) };
    } else {
      responseId = `r${this.nextTs++}`;
      surface = { kind: 'message', message: this.clickedMessage(input), responseUrl: this.responseUrl(responseId) };
    }
    const payload = blockActionsPayload({ actionId: input.actionId, user, triggerId, surface, actionTs: slackTs(Date.now()), ...(input.value !== undefined ? { value: input.value } : {}) });
    return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), responseId, triggerId, payload };
  }

  /** The JSON body of the Events API request for a user opening the app's Home (or Messages) tab; sign it with signSlackJsonRequest. */
  appHomeOpened(input: { user?: SlackUser; tab?: 'home' | 'messages' } = {}): string {
    return JSON.stringify(this.homeOpenedEnvelope(input));
  }

  /** Sends a button click over Socket Mode (an `interactive` envelope) and resolves with the app's ack payload. */
  async socketBlockAction(input: BlockActionInput): Promise<{ ack: Record<string, unknown> | undefined; responseId: string | undefined; triggerId: string }> {
    const { payload, responseId, triggerId } = this.blockAction(input);
    return { ack: await this.sendEnvelope('interactive', payload, false), responseId, triggerId };
  }

  /** Sends app_home_opened over Socket Mode (an `events_api` envelope) and resolves with the app's ack payload. */
  async socketAppHomeOpened(input: { user?: SlackUser; tab?: 'home' | 'messages' } = {}): Promise<Record<string, unknown> | undefined> {
    return this.sendEnvelope('events_api', this.homeOpenedEnvelope(input), false, { retry_attempt: 0, retry_reason: '' });
  }

  async responseFor(id: string): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.responses.find((r) => r.id === id);
      if (found) return found.body;
      await once(this, 'response');
    }
  }

  /** Sends a slash command over the Socket Mode connection and resolves with the app's ack payload. */
  async socketSlashCommand(input: { command: string; text?: string; user?: SlackUser }): Promise<Record<string, unknown> | undefined> {
    return this.sendEnvelope('slash_commands', Object.fromEntries(new URLSearchParams(this.slashCommand(input).body)), true);
  }

  /** Sends one Socket Mode envelope once the app is connected and resolves with the payload of the app's ack. */
  private async sendEnvelope(type: string, payload: unknown, acceptsResponsePayload: boolean, extra: Record<string, unknown> = {}): Promise<Record<string, unknown> | undefined> {
    if (!this.socket) await once(this, 'socketConnected');
    const envelopeId = `env-${this.nextTs++}`;
    this.socket?.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: acceptsResponsePayload, payload, ...extra }));
    for (;;) {
      const [ack] = (await once(this, 'socketAck')) as [{ envelope_id: string; payload?: Record<string, unknown> }];
      if (ack.envelope_id === envelopeId) return ack.payload;
    }
  }

  private responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  /** The newest posted message carrying this button (in `channelId` if given), else a message made up around it. */
  private clickedMessage(input: BlockActionInput): { channel: { id: string; name: string }; ts: string; text: string; blocks: unknown[] } {
    const posted = [...this.posted].reverse().find((p) => (!input.channelId || this.conversations.resolve(p.channel) === input.channelId) && findButton(p.blocks, input.actionId));
    const channelId = input.channelId ?? (posted ? this.conversations.resolve(posted.channel) : undefined) ?? FAKE_TEAM.channelId;
    const channel = { id: channelId, name: channelName(channelId) };
    if (posted) return { channel, ts: posted.ts, text: posted.text, blocks: posted.blocks };
    return { channel, ts: slackTs(Date.now()), text: '', blocks: blocksWithButton(input.actionId, input.value) };
  }

  private homeOpenedEnvelope(input: { user?: SlackUser; tab?: 'home' | 'messages' }): Record<string, unknown> {
    const user = input.user?.id ?? SLACK_MEMBER.id;
    return appHomeOpenedEnvelope({
      user,
      // The app's direct message channel with the user, the same id conversations.open answers.
      channel: this.conversations.open([user]),
      tab: input.tab ?? 'home',
      view: this.views.homeViews.get(user),
      eventId: `Ev0COHORT${String(this.nextEventId++).padStart(4, '0')}`,
      now: Date.now(),
    });
  }

  async close(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.http.closeAllConnections();
    this.http.close();
    await once(this.http, 'close');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const urlPath = (req.url ?? '').split('?')[0] ?? '';
    // The upload URL (files.slack.com on Slack) takes a file's bytes, not Web API arguments; it answers in plain text.
    const uploadTo = /^\/upload\/v1\/([\w-]+)$/.exec(urlPath);
    if (uploadTo && req.method === 'POST') {
      if (this.outage) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
      const { status, text } = this.uploads.receive(uploadTo[1] ?? '', bytes, req.headers['content-type']);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
      return;
    }
    // url_private: the file's bytes, for a request with the bot token.
    const download = /^\/files-pri\/([\w-]+)\/[^/]+$/.exec(urlPath);
    if (download && req.method === 'GET') {
      const file = req.headers.authorization === `Bearer ${this.botToken}` ? this.uploads.download(download[1] ?? '') : undefined;
      if (!file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('file not found');
      res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) }).end(file.bytes);
      return;
    }
    const raw = bytes.toString('utf8');
    const params: Record<string, unknown> = (req.headers['content-type'] ?? '').includes('application/json')
      ? (JSON.parse(raw || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(raw));
    const url = (req.url ?? '').split('?')[0] ?? '';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };

    const response = /^\/response\/(\w+)$/.exec(url);
    if (response) {
      // Kept even when Slack would refuse it, so a test can see what the app tried; answered as hooks.slack.com does.
      const problems = params.blocks === undefined ? [] : blockKitProblems(params.blocks, 'message');
      const invalid = problems.length > 0 ? problems.join('; ') : undefined;
      this.responses.push({ id: response[1] ?? '', body: params, invalid });
      this.emit('response');
      res.writeHead(invalid ? 400 : 200).end(invalid ? 'invalid_blocks' : 'ok');
      return;
    }
    const method = /^\/api\/([\w.]+)$/.exec(url)?.[1];
    if (!method) return send(404, { ok: false, error: 'unknown_method' });
    // An outage of Slack's Web API: every call is a 503.
    if (this.outage) return send(503, { ok: false, error: 'service_unavailable' });
    const record = (status: number) => this.calls.push({ method, params, status });
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || String(params.token ?? '');
    if (method === 'apps.connections.open') {
      record(200);
      return send(200, token === this.appToken ? { ok: true, url: `ws://127.0.0.1:${this.port}/socket` } : { ok: false, error: 'invalid_auth' });
    }
    if (token !== this.botToken) {
      record(200);
      return send(200, { ok: false, error: 'invalid_auth' });
    }
    // Random faults on what the bot sends (the chaos suite): posts and edits.
    const chaos = SENDS.has(method) ? this.chaos?.next() : undefined;
    if (chaos) {
      const answers = {
        serverError: () => (record(503), send(503, { ok: false, error: 'service_unavailable' })),
        rateLimited: () => (record(429), send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' })),
      };
      if (await applyFault(chaos, res, answers, this.chaos!.timeoutMs)) return;
    }
    const scope = this.missingScopes.get(method);
    if (scope) {
      record(200);
      return send(200, { ok: false, error: 'missing_scope', needed: scope, provided: 'commands' });
    }
    switch (method) {
      case 'auth.test':
        record(200);
        return send(200, { ok: true, url: 'https://rust-cohort.slack.com/', team: 'Rust cohort', user: 'cohort-bot', team_id: FAKE_TEAM.teamId, user_id: 'U0BOT', bot_id: 'B0BOT' });
      case 'users.info': {
        record(200);
        if (this.usersInfoDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.usersInfoDelayMs));
        const id = String(params.user);
        return send(200, { ok: true, user: { id, name: id.toLowerCase(), is_admin: this.admins.has(id), is_owner: false, is_primary_owner: false } });
      }
      case 'chat.postMessage': {
        if (this.rateLimitsLeft > 0) {
          this.rateLimitsLeft -= 1;
          record(429);
          return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(this.rateLimitSeconds) });
        }
        const channel = String(params.channel);
        // A user id posts in the app's direct messages with that user.
        const conversation = this.conversations.resolve(channel);
        record(200);
        if (!conversation) return send(200, { ok: false, error: 'channel_not_found' });
        const metadata = parseMetadata(params.metadata);
        if (metadata === 'invalid') return send(200, { ok: false, error: 'invalid_metadata_format' });
        const blocks = messageBlocks(params.blocks);
        if (!Array.isArray(blocks)) return send(200, blocks);
        const text = String(params.text ?? '');
        const { ts } = this.conversations.add(conversation, { text, blocks, ...(metadata ? { metadata } : {}) });
        this.posted.push({ channel, text, blocks, ts, ...(metadata ? { metadata } : {}) });
        this.emit('posted');
        return send(200, { ok: true, channel: conversation, ts, message: { text, ts, ...(metadata ? { metadata } : {}) } });
      }
      case 'conversations.open': {
        record(200);
        const users = String(params.users ?? '').split(',').filter(Boolean);
        if (users.length === 0) return send(200, { ok: false, error: 'users_list_not_supplied' });
        if (users.length > 8) return send(200, { ok: false, error: 'too_many_users' });
        return send(200, { ok: true, channel: { id: this.conversations.open(users) } });
      }
      case 'conversations.history':
        record(200);
        return send(200, this.conversations.history(params));
      case 'chat.postEphemeral': {
        record(200);
        const blocks = messageBlocks(params.blocks);
        if (!Array.isArray(blocks)) return send(200, blocks);
        return send(200, { ok: true, channel: params.channel, ts: `${this.nextTs++}.000200`, message_ts: `${this.nextTs}.000200` });
      }
      case 'chat.update': {
        // Only a message the app posted and that still exists can be updated, as on Slack.
        record(200);
        const blocks = messageBlocks(params.blocks);
        if (!Array.isArray(blocks)) return send(200, blocks);
        const channel = String(params.channel ?? '');
        const ts = String(params.ts ?? '');
        if (!this.conversations.update(channel, ts, { text: String(params.text ?? ''), blocks })) return send(200, { ok: false, error: 'message_not_found' });
        this.updates.push({ channel, ts, text: String(params.text ?? ''), blocks });
        this.emit('updated');
        return send(200, { ok: true, channel, ts, text: String(params.text ?? ''), message: { text: String(params.text ?? ''), blocks } });
      }
      case 'views.publish': {
        record(200);
        const { answer, record: published } = this.views.publish(params);
        if (published) this.emit('viewPublished', published);
        return send(200, answer);
      }
      case 'views.open': {
        record(200);
        const { answer, record: opened } = this.views.open(params);
        if (opened) this.emit('viewOpened', opened);
        return send(200, answer);
      }
      case 'files.getUploadURLExternal':
        record(200);
        return send(200, this.uploads.getUploadURL(params));
      case 'files.completeUploadExternal': {
        record(200);
        // A conversation this Slack has: a channel, or a D… (G…) that conversations.open made; a user id is not one.
        const { answer, records } = this.uploads.complete(params, (id) => this.conversations.resolve(id) === id);
        for (const file of records) if (file.channelId) this.emit('fileShared', file);
        return send(200, answer);
      }
      case 'views.update': {
        record(200);
        const { answer, record: updated } = this.views.update(params);
        if (updated) this.emit('viewUpdated', updated);
        return send(200, answer);
      }
      default:
        record(200);
        return send(200, { ok: false, error: 'unknown_method' });
    }
  }
}

/**
 * A message's `blocks` argument (a JSON string in form bodies, an array in JSON bodies; none is an empty list), or
 * Slack's refusal: invalid_blocks_format when it is not a JSON array, invalid_blocks when Block Kit says no.
 */
function messageBlocks(value: unknown): unknown[] | Record<string, unknown> {
  let blocks = value ?? [];
  if (typeof blocks === 'string') {
    try {
      blocks = JSON.parse(blocks);
    } catch {
      return { ok: false, error: 'invalid_blocks_format' };
    }
  }
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
  const problems = blockKitProblems(blocks, 'message');
  if (problems.length > 0) return { ok: false, error: 'invalid_blocks', errors: problems, response_metadata: { messages: problems.map((problem) => `[ERROR] ${problem}`) } };
  return blocks;
}

/** A Slack `ts` (seconds, six digits of microseconds) for a moment in milliseconds. */
function slackTs(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

/** Channel names as Slack puts them in interaction payloads; a direct message is "directmessage". */
function channelName(id: string): string {
  if (id === FAKE_TEAM.channelId) return 'rust-cohort';
  if (id.startsWith('D')) return 'directmessage';
  return id.toLowerCase();
}

/**
 * Slack's request signature: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. Slash commands
 * and interactions are form bodies; Events API bodies are JSON (see signSlackJsonRequest).
 */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
  contentType: 'application/x-www-form-urlencoded' | 'application/json' = 'application/x-www-form-urlencoded',
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
}

/** Headers for an Events API request (a JSON body, e.g. appHomeOpened()), signed as Slack signs it. */
export function signSlackJsonRequest(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return signSlackRequest(signingSecret, body, timestamp, 'application/json');
}
