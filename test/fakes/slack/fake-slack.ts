import { createHmac } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeConversations, parseMetadata, type MessageMetadata } from './fake-conversations.ts';

/**
 * A fake Slack Web API on 127.0.0.1 (auth.test, users.info, chat.postMessage with metadata, chat.postEphemeral,
 * chat.update, conversations.open and conversations.history) and a response_url sink, so Bolt's WebClient runs
 * unmodified with `slackApiUrl` pointed here. Requests are recorded.
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
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  readonly admins = new Set<string>([SLACK_ADMIN.id]);
  /** While true, every Web API call is answered 503. */
  outage = false;
  /** Web API methods answered with missing_scope, as when the app was installed without that scope. */
  readonly missingScopes = new Map<string, string>();
  /** users.info answers after this long, like a Slack API having a slow moment. */
  usersInfoDelayMs = 0;
  private rateLimitsLeft = 0;
  private rateLimitSeconds = 1;
  private nextTs = 1_700_000_000;
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

  rateLimitPostMessage(count: number, seconds = 1): void {
    this.rateLimitsLeft = count;
    this.rateLimitSeconds = seconds;
  }

  /** A slash-command form body as Slack sends it, with its response_url pointing at this fake. */
  slashCommand(input: { command: string; text?: string; user?: { id: string; name: string }; channelId?: string }): { body: string; responseId: string } {
    const responseId = `r${this.nextTs++}`;
    const fields = {
      ...slashTemplate,
      command: input.command,
      text: input.text ?? '',
      user_id: input.user?.id ?? SLACK_MEMBER.id,
      user_name: input.user?.name ?? SLACK_MEMBER.name,
      channel_id: input.channelId ?? FAKE_TEAM.channelId,
      team_id: FAKE_TEAM.teamId,
      response_url: `http://127.0.0.1:${this.port}/response/${responseId}`,
    };
    return { body: new URLSearchParams(fields).toString(), responseId };
  }

  async responseFor(id: string): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.responses.find((r) => r.id === id);
      if (found) return found.body;
      await once(this, 'response');
    }
  }

  /** Sends a slash command over the Socket Mode connection and resolves with the app's ack payload. */
  async socketSlashCommand(input: { command: string; text?: string; user?: { id: string; name: string } }): Promise<Record<string, unknown> | undefined> {
    if (!this.socket) await once(this, 'socketConnected');
    const envelopeId = `env-${this.nextTs++}`;
    const fields = Object.fromEntries(new URLSearchParams(this.slashCommand(input).body));
    this.socket?.send(JSON.stringify({ envelope_id: envelopeId, type: 'slash_commands', accepts_response_payload: true, payload: fields }));
    for (;;) {
      const [ack] = (await once(this, 'socketAck')) as [{ envelope_id: string; payload?: Record<string, unknown> }];
      if (ack.envelope_id === envelopeId) return ack.payload;
    }
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
    const raw = Buffer.concat(chunks).toString('utf8');
    const params: Record<string, unknown> = (req.headers['content-type'] ?? '').includes('application/json')
      ? (JSON.parse(raw || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(raw));
    const url = (req.url ?? '').split('?')[0] ?? '';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };

    const response = /^\/response\/(\w+)$/.exec(url);
    if (response) {
      this.responses.push({ id: response[1] ?? '', body: params });
      this.emit('response');
      res.writeHead(200).end('ok');
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
        const blocks = typeof params.blocks === 'string' ? (JSON.parse(params.blocks) as unknown[]) : ((params.blocks as unknown[]) ?? []);
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
      case 'chat.postEphemeral':
      case 'chat.update':
        record(200);
        return send(200, { ok: true, channel: params.channel, ts: `${this.nextTs++}.000200`, message_ts: `${this.nextTs}.000200` });
      default:
        record(200);
        return send(200, { ok: false, error: 'unknown_method' });
    }
  }
}

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function signSlackRequest(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
}
