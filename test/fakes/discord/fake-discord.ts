import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InteractionResponseType, InteractionType, RESTJSONErrorCodes } from 'discord-api-types/v10';
import { componentProblems, findButton, invalidFormBody, messageProblems, type FormProblem } from './components.ts';
import { FakeGateway } from './fake-gateway.ts';
import { isMultipart, MultipartError, parseMultipart } from './multipart.ts';
import { buttonInteractionPayload, guildCreatePayload, interactionPayload, readyPayload, type CommandOptionInput, type FakeUser } from './payloads.ts';
import { applyFault, type FaultPlan } from '../fault-plan.ts';

/**
 * A fake Discord on 127.0.0.1: the REST routes cohort-bot uses and a real gateway WebSocket, on one port, so
 * discord.js runs unmodified with `rest.api` pointed here. Everything the bot sends is recorded for assertions.
 */

export const FAKE_IDS = {
  applicationId: '1300000000000000001',
  guildId: '1200000000000000001',
  channelId: '1200000000000000010',
  otherChannelId: '1200000000000000011',
} as const;

export const MEMBER: FakeUser = { id: '1100000000000000001', username: 'ada', permissions: '2048' };
export const ORGANISER: FakeUser = { id: '1100000000000000002', username: 'grace', permissions: String(0x20 | 2048) };

/**
 * The callback types Discord accepts per interaction type (its docs, "Interaction Response Types"). Discord also takes
 * MODAL (9) for commands and components; the fake has no modal submit, so it refuses 9 rather than pretend.
 */
const CALLBACK_TYPES: Partial<Record<InteractionType, readonly InteractionResponseType[]>> = {
  [InteractionType.ApplicationCommand]: [InteractionResponseType.ChannelMessageWithSource, InteractionResponseType.DeferredChannelMessageWithSource],
  [InteractionType.MessageComponent]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [InteractionResponseType.ApplicationCommandAutocompleteResult],
};

/** Callbacks that answer a click by editing the message the button is on, which @original then means. */
const UPDATES_CLICKED_MESSAGE: readonly number[] = [InteractionResponseType.DeferredMessageUpdate, InteractionResponseType.UpdateMessage];

export interface ClickButtonInput {
  user: FakeUser;
  customId: string;
  /** Defaults to the channel of the message, else FAKE_IDS.channelId. */
  channelId?: string;
  /** The message the button is on. Defaults to the last one the bot posted carrying `customId`, else a bot message with just that button. */
  message?: { id: string; components?: unknown[]; embeds?: unknown[] };
}

export interface InteractionResponse {
  type: number;
  data?: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  /** The JSON body; for a multipart/form-data request, its `payload_json` part. */
  body: unknown;
}

/** A file the bot uploaded in a multipart/form-data request, as the `files[n]` part carried it. */
export interface ReceivedFile {
  /** The n of `files[n]`. */
  index: number;
  /** The part's filename. */
  name: string;
  /** The part's Content-Type as sent (undici sends `application/octet-stream` for bytes of no known type). */
  contentType: string | undefined;
  bytes: Buffer;
}

/** An attachment as Discord echoes it in a message object; `url` is served by the fake and returns the bytes. */
export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
  description?: string;
  ephemeral?: boolean;
}

/** What the bot sent in answer to an interaction: the callback, an edit of @original or a follow-up. */
export interface RecordedResponse {
  kind: 'callback' | 'edit' | 'followup';
  body: Record<string, unknown>;
  /** Files uploaded with it (multipart/form-data); empty for a JSON body. */
  files: ReceivedFile[];
  /** The attachments made of those files, as echoed in the message. */
  attachments: FakeAttachment[];
  /** When it arrived (performance.now()), for latency measurements. */
  at: number;
}

/** Discord's limits on uploads: files per message, and bytes per request (the default for a server without boosts is lower still for users). */
export const UPLOAD_LIMITS = { files: 10, totalBytes: 25 * 1024 * 1024, description: 1024 } as const;

export class FakeDiscord extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  readonly registrations: { path: string; body: unknown }[] = [];
  /** Messages posted to channels; `files` holds what came as multipart `files[n]` parts (empty for a JSON body). */
  readonly channelMessages: { channelId: string; body: Record<string, unknown>; id: string; files: ReceivedFile[]; attachments: FakeAttachment[] }[] = [];
  /** PATCHes of channel messages, in order. */
  readonly messageEdits: { channelId: string; id: string; body: Record<string, unknown> }[] = [];
  private readonly deletedMessages = new Set<string>();
  /** Every attachment the fake stored, by id: what GET on its `url` serves. */
  readonly attachments = new Map<string, FakeAttachment & { bytes: Buffer }>();
  /** DM channels opened by POST /users/@me/channels, by user id. */
  readonly dmChannels = new Map<string, string>();
  /** Users who do not accept direct messages from the bot (Discord answers 50007). */
  readonly closedDms = new Set<string>();
  /** Per interaction token: the callback, then edits and follow-ups, in order. */
  readonly responses = new Map<string, RecordedResponse[]>();
  /** Per interaction token: what was sent, which decides the callback types Discord accepts and what @original is. */
  private readonly interactions = new Map<string, { type: InteractionType; channelId: string; messageId?: string }>();
  readonly ops: number[] = [];
  /** Set to make the gateway refuse IDENTIFY with this close code, e.g. 4014 (disallowed intents). */
  identifyCloseCode: number | undefined;
  /** While true, every REST call is answered 503 (the gateway stays up). */
  outage = false;
  /** Random faults on what the bot sends (the chaos suite). */
  chaos: FaultPlan | undefined;
  private rateLimitsLeft = 0;
  private rateLimitSeconds = 0;
  private nextId = 1_400_000_000_000_000_000n;
  private readonly http: Server;
  private readonly gateway: FakeGateway;
  port = 0;

  constructor(readonly token: string) {
    super();
    this.gateway = new FakeGateway({
      token,
      ready: (sessionId) =>
        readyPayload({ applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, sessionId, resumeUrl: this.gatewayUrl }),
      guildCreate: () => guildCreatePayload(FAKE_IDS.guildId, [FAKE_IDS.channelId, FAKE_IDS.otherChannelId]),
      identifyCloseCode: () => this.identifyCloseCode,
      onOp: (op) => {
        this.ops.push(op);
        this.emit('op', op);
      },
    });
    this.http = createServer((req, res) => void this.handle(req, res));
    this.http.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/gateway')) this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(token = 'fake-bot-token'): Promise<FakeDiscord> {
    const fake = new FakeDiscord(token);
    fake.http.listen(0, '127.0.0.1');
    await once(fake.http, 'listening');
    fake.port = (fake.http.address() as AddressInfo).port;
    return fake;
  }

  /** What `DISCORD_API_URL` is set to. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** The next `count` channel messages get a 429 with `retry-after` first. */
  rateLimitChannelMessages(count: number, seconds: number): void {
    this.rateLimitsLeft = count;
    this.rateLimitSeconds = seconds;
  }

  /** Sends a slash command (or, with `autocomplete`, an autocomplete request) and returns its token. */
  sendInteraction(input: { user: FakeUser; command: string; subcommand?: string; options?: CommandOptionInput[]; autocomplete?: boolean; channelId?: string }): string {
    const id = this.snowflake();
    const token = `interaction-token-${id}`;
    const channelId = input.channelId ?? FAKE_IDS.channelId;
    this.responses.set(token, []);
    this.interactions.set(token, { type: input.autocomplete ? InteractionType.ApplicationCommandAutocomplete : InteractionType.ApplicationCommand, channelId });
    this.gateway.dispatch('INTERACTION_CREATE', interactionPayload({ id, token, applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, channelId, ...input }));
    return token;
  }

  /**
   * A member clicks a button (a MESSAGE_COMPONENT interaction); returns its token, as `sendInteraction` does.
   * Throws for a click no Discord client can make: on a button the message lacks, a disabled one, a message Discord
   * would have refused, or in a DM (the fake sends only guild interactions).
   */
  clickButton(input: ClickButtonInput): string {
    const posted = input.message ? undefined : this.channelMessages.findLast((m) => findButton(m.body.components, input.customId));
    const channelId = input.channelId ?? posted?.channelId ?? FAKE_IDS.channelId;
    if ([...this.dmChannels.values()].includes(channelId)) throw new Error(`clickButton: ${channelId} is a DM channel; the fake clicks only in guild channels`);
    const message = {
      id: input.message?.id ?? posted?.id ?? this.snowflake(),
      content: typeof posted?.body.content === 'string' ? posted.body.content : '',
      embeds: input.message?.embeds ?? (posted?.body.embeds as unknown[] | undefined) ?? [],
      components: input.message?.components ??
        (posted?.body.components as unknown[] | undefined) ?? [{ type: 1, components: [{ type: 2, style: 1, label: 'Click', custom_id: input.customId }] }],
    };
    const problems = componentProblems(message.components);
    if (problems.length > 0) throw new Error(`clickButton: Discord would have refused this message: ${problems.join('; ')}`);
    const button = findButton(message.components, input.customId);
    if (!button) throw new Error(`clickButton: message ${message.id} has no button with custom_id ${input.customId}`);
    if (button.disabled === true) throw new Error(`clickButton: the button ${input.customId} is disabled`);

    const id = this.snowflake();
    const token = `interaction-token-${id}`;
    this.responses.set(token, []);
    this.interactions.set(token, { type: InteractionType.MessageComponent, channelId, messageId: message.id });
    const payload = buttonInteractionPayload({ id, token, applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, channelId, user: input.user, customId: input.customId, message });
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return token;
  }

  /** Resolves once the interaction has `count` responses (callback, edits, follow-ups). */
  async responsesFor(token: string, count = 1): Promise<RecordedResponse[]> {
    while ((this.responses.get(token)?.length ?? 0) < count) await once(this, 'response');
    return this.responses.get(token) ?? [];
  }

  dropConnection(code?: number): void {
    this.gateway.drop(code);
  }

  nextSession(): Promise<void> {
    return this.gateway.nextSession();
  }

  async close(): Promise<void> {
    this.gateway.close();
    this.http.closeAllConnections();
    this.http.close();
    await once(this.http, 'close');
  }

  private snowflake(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '').replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    let body: unknown;
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method, path, status, body });
      // Like Discord, a 204 has no body and no JSON content type (clients would try to parse it).
      res.writeHead(status, payload === undefined ? headers : { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    // Attachment URLs are Discord's CDN, not its API: no token, and served even during an API outage.
    let match: RegExpExecArray | null;
    if (method === 'GET' && (match = /^\/attachments\/\d+\/(\d+)\/[^/]+$/.exec(path))) {
      const stored = this.attachments.get(match[1] ?? '');
      if (!stored) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      res.writeHead(200, { 'content-type': stored.content_type, 'content-length': String(stored.bytes.length) }).end(stored.bytes);
      return;
    }
    // A JSON body, or multipart/form-data (files): the JSON is the `payload_json` part, the files are `files[n]`.
    let files: ReceivedFile[] = [];
    const contentType = req.headers['content-type'];
    if (isMultipart(contentType)) {
      const form = readForm(raw, contentType);
      if ('error' in form) return reply(form.status, form.error);
      body = form.body;
      files = form.files;
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(400, { message: 'The request body contains invalid JSON.', code: 50109 });
      }
    }
    // An outage of Discord's API: every REST call is a 503, as when its edge answers for a failing backend.
    if (this.outage) return reply(503, { message: 'Service Unavailable', code: 0 });
    const authorised = req.headers.authorization === `Bot ${this.token}`;
    const needsAuth = !path.startsWith('/interactions/') && !path.startsWith('/webhooks/');
    if (needsAuth && !authorised) return reply(401, { message: '401: Unauthorized', code: 0 });
    // Only message routes take files; anywhere else Discord would not read them, so the fake refuses them loudly.
    const takesFiles = /^\/(channels\/\d+\/messages|interactions\/\d+\/[^/]+\/callback|webhooks\/\d+\/[^/]+(\/messages\/@original)?)$/.test(path);
    if (files.length > 0 && !takesFiles) return reply(400, invalidFormBody([{ path: ['files'], code: 'FAKE_UNSUPPORTED', message: `The fake takes files only on message routes, not ${method} ${path}.` }]));
    const upload = files.length > 0 ? uploadProblems(body, files) : undefined;
    if (upload) return reply(upload.status, upload.error);
    if (method === 'GET' && path === '/gateway/bot') {
      return reply(200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (method === 'PUT' && (match = /^\/applications\/(\d+)(?:\/guilds\/\d+)?\/commands$/.exec(path))) {
      if (match[1] !== FAKE_IDS.applicationId) return reply(404, { message: 'Unknown Application', code: 10002 });
      this.registrations.push({ path, body });
      return reply(200, (body as Record<string, unknown>[]).map((c) => ({ ...c, id: this.snowflake(), application_id: FAKE_IDS.applicationId, version: '1' })));
    }
    if (method === 'POST' && (match = /^\/interactions\/\d+\/([^/]+)\/callback$/.exec(path))) {
      const log = this.responses.get(match[1] ?? '');
      const interaction = this.interactions.get(match[1] ?? '');
      if (!log || !interaction) return reply(404, { message: 'Unknown interaction', code: RESTJSONErrorCodes.UnknownInteraction });
      if (log.some((r) => r.kind === 'callback')) return reply(400, { message: 'Interaction has already been acknowledged.', code: RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged });
      // A refused callback does not acknowledge the interaction: the bot may still answer correctly.
      const callback = (body ?? {}) as { type?: unknown; data?: unknown };
      const allowed = CALLBACK_TYPES[interaction.type] ?? [];
      if (!allowed.includes(callback.type as InteractionResponseType)) {
        return reply(400, invalidFormBody([{ path: ['type'], code: 'BASE_TYPE_CHOICES', message: `Value must be one of {${allowed.join(', ')}}.` }]));
      }
      const problems = messageProblems(callback.data);
      if (problems.length > 0) return reply(400, invalidFormBody(problems));
      if (files.length > 0 && !MESSAGE_CALLBACKS.includes(callback.type as number)) {
        return reply(400, invalidFormBody([{ path: ['files'], code: 'FAKE_UNSUPPORTED', message: 'Only callbacks that send or update a message (4, 7) carry files.' }]));
      }
      const data = (callback.data ?? {}) as Record<string, unknown>;
      const ephemeral = ((Number(data.flags ?? 0) & EPHEMERAL_FLAG) !== 0);
      this.record(log, 'callback', body, files, this.store(interaction.channelId, files, data.attachments, ephemeral));
      return reply(204);
    }
    if ((match = /^\/webhooks\/\d+\/([^/]+)(\/messages\/@original)?$/.exec(path)) && (method === 'PATCH' || method === 'POST')) {
      const log = this.responses.get(match[1] ?? '');
      if (!log) return reply(404, { message: 'Unknown Webhook', code: 10015 });
      const problems = messageProblems(body);
      if (problems.length > 0) return reply(400, invalidFormBody(problems));
      const interaction = this.interactions.get(match[1] ?? '');
      const channelId = interaction?.channelId ?? FAKE_IDS.channelId;
      const payload = (body ?? {}) as Record<string, unknown>;
      // An edit of a deferred ephemeral reply stays ephemeral, as do its attachments.
      const deferredEphemeral = log.some((r) => r.kind === 'callback' && (Number((r.body.data as { flags?: unknown } | undefined)?.flags ?? 0) & EPHEMERAL_FLAG) !== 0);
      const ephemeral = (Number(payload.flags ?? 0) & EPHEMERAL_FLAG) !== 0 || (method === 'PATCH' && deferredEphemeral);
      const attachments = this.store(channelId, files, payload.attachments, ephemeral);
      this.record(log, method === 'PATCH' ? 'edit' : 'followup', body, files, attachments);
      const updatesClicked = log.some((r) => r.kind === 'callback' && UPDATES_CLICKED_MESSAGE.includes(r.body.type as number));
      const original = match[2] !== undefined && updatesClicked ? interaction?.messageId : undefined;
      return reply(200, this.message(channelId, body, original, attachments));
    }
    // Random faults on what the bot sends (the chaos suite): channel messages, their edits, and opening DMs.
    const sends = (method === 'POST' && (path === '/users/@me/channels' || /^\/channels\/\d+\/messages$/.test(path))) || (method === 'PATCH' && /^\/channels\/\d+\/messages\/\d+$/.test(path));
    const chaos = sends ? this.chaos?.next() : undefined;
    if (chaos) {
      const answers = {
        serverError: () => reply(502, { message: '502: Bad Gateway', code: 0 }),
        rateLimited: () =>
          reply(429, { message: 'You are being rate limited.', retry_after: 1, global: false }, { 'retry-after': '1', 'x-ratelimit-scope': 'user', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '1', 'x-ratelimit-bucket': 'fake-chaos-bucket' }),
      };
      if (await applyFault(chaos, res, answers, this.chaos!.timeoutMs)) return;
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String((body as { recipient_id?: unknown }).recipient_id ?? '');
      if (!/^\d{17,20}$/.test(recipient)) return reply(400, { message: 'Invalid Form Body', code: 50035 });
      const id = this.dmChannels.get(recipient) ?? this.snowflake();
      this.dmChannels.set(recipient, id);
      return reply(200, { id, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: `user-${recipient}`, discriminator: '0', global_name: null, avatar: null }] });
    }
    if (method === 'POST' && (match = /^\/channels\/(\d+)\/messages$/.exec(path))) {
      const channelId = match[1] ?? '';
      const dmUser = [...this.dmChannels].find(([, id]) => id === channelId)?.[0];
      if (dmUser && this.closedDms.has(dmUser)) return reply(403, { message: 'Cannot send messages to this user', code: 50007 });
      if (channelId !== FAKE_IDS.channelId && channelId !== FAKE_IDS.otherChannelId && !dmUser) return reply(404, { message: 'Unknown Channel', code: 10003 });
      if (this.rateLimitsLeft > 0) {
        this.rateLimitsLeft -= 1;
        const retry = String(this.rateLimitSeconds);
        return reply(
          429,
          { message: 'You are being rate limited.', retry_after: this.rateLimitSeconds, global: false },
          { 'retry-after': retry, 'x-ratelimit-scope': 'user', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': retry, 'x-ratelimit-bucket': 'fake-bucket' },
        );
      }
      const payload = body as Record<string, unknown>;
      const problems = messageProblems(payload);
      if (problems.length > 0) return reply(400, invalidFormBody(problems));
      // enforce_nonce: the same nonce in the same channel returns the first message instead of posting again.
      const duplicate = this.channelMessages.find((m) => m.channelId === channelId && payload.enforce_nonce && m.body.nonce === payload.nonce);
      if (duplicate) return reply(200, this.message(channelId, duplicate.body, duplicate.id, duplicate.attachments));
      const id = this.snowflake();
      const attachments = this.store(channelId, files, payload.attachments, false);
      this.channelMessages.push({ channelId, body: payload, id, files, attachments });
      this.emit('channelMessage');
      return reply(200, this.message(channelId, payload, id, attachments));
    }
    if (method === 'PATCH' && (match = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path))) {
      // Editing a message: only one the bot posted and nobody deleted (else 10008, as Discord answers).
      const found = this.channelMessages.find((m) => m.channelId === match?.[1] && m.id === match[2]);
      if (!found || this.deletedMessages.has(found.id)) return reply(404, { message: 'Unknown Message', code: 10008 });
      const payload = body as Record<string, unknown>;
      const problems = messageProblems({ ...found.body, ...payload });
      if (problems.length > 0) return reply(400, invalidFormBody(problems));
      found.body = { ...found.body, ...payload };
      this.messageEdits.push({ channelId: found.channelId, id: found.id, body: payload });
      this.emit('messageEdited');
      return reply(200, { ...this.message(found.channelId, found.body, found.id, found.attachments), edited_timestamp: new Date().toISOString() });
    }
    return reply(404, { message: '404: Not Found', code: 0 });
  }

  /** Someone deleted a message in the channel: editing it now answers Unknown Message. */
  deleteMessage(id: string): void {
    this.deletedMessages.add(id);
  }

  private record(log: RecordedResponse[], kind: RecordedResponse['kind'], body: unknown, files: ReceivedFile[] = [], attachments: FakeAttachment[] = []): void {
    log.push({ kind, body: body as Record<string, unknown>, files, attachments, at: performance.now() });
    this.emit('response');
  }

  /** Keeps uploaded files as attachments (ids, a URL this fake serves), with their descriptions from `attachments`. */
  private store(channelId: string, files: ReceivedFile[], declared: unknown, ephemeral: boolean): FakeAttachment[] {
    const entries = Array.isArray(declared) ? (declared as Record<string, unknown>[]) : [];
    return files.map((file) => {
      const id = this.snowflake();
      const entry = entries.find((a) => String(a?.id) === String(file.index));
      const filename = typeof entry?.filename === 'string' && entry.filename !== '' ? entry.filename : file.name;
      const safeName = filename.replace(/[^\w.-]/g, '_');
      const url = `http://127.0.0.1:${this.port}/attachments/${channelId}/${id}/${encodeURIComponent(safeName)}`;
      const attachment: FakeAttachment = {
        id,
        filename: safeName,
        size: file.bytes.length,
        url,
        proxy_url: url,
        content_type: attachmentType(file),
        ...(typeof entry?.description === 'string' ? { description: entry.description } : {}),
        ...(ephemeral ? { ephemeral: true } : {}),
      };
      this.attachments.set(id, { ...attachment, bytes: file.bytes });
      return attachment;
    });
  }

  private message(channelId: string, body: unknown, id = this.snowflake(), attachments: FakeAttachment[] = []): Record<string, unknown> {
    return {
      id,
      channel_id: channelId,
      type: 0,
      content: '',
      embeds: [],
      // Discord echoes the components it accepted (with ids it numbers); the fake echoes them as sent.
      components: [],
      ...(body as object),
      author: { id: '1300000000000000099', username: 'cohort-bot', discriminator: '0', bot: true, avatar: null, global_name: null },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      // What was uploaded, as stored; the request's `attachments` (ids naming `files[n]`) are not echoed as sent.
      attachments,
      pinned: false,
      flags: 0,
    };
  }
}

const EPHEMERAL_FLAG = 64;
/** Callbacks that carry a message, and so may carry its files: CHANNEL_MESSAGE_WITH_SOURCE and UPDATE_MESSAGE. */
const MESSAGE_CALLBACKS: readonly number[] = [InteractionResponseType.ChannelMessageWithSource, InteractionResponseType.UpdateMessage];

type FormRefusal = { status: number; error: Record<string, unknown> };

/**
 * A multipart/form-data body as Discord reads it: `payload_json` is the JSON body, each `files[n]` part a file.
 * Other parts are refused (Discord would take bare form fields instead of payload_json; the fake models only what
 * discord.js sends). A malformed body is a 400, as Discord answers it.
 */
function readForm(raw: Buffer, contentType: string | undefined): { body: unknown; files: ReceivedFile[] } | { error: Record<string, unknown>; status: number } {
  let parts;
  try {
    parts = parseMultipart(raw, contentType);
  } catch (error) {
    if (error instanceof MultipartError) return { status: 400, error: { message: '400: Bad Request', code: 0 } };
    throw error;
  }
  let body: unknown;
  const files: ReceivedFile[] = [];
  for (const part of parts) {
    if (part.name === 'payload_json' && part.filename === undefined) {
      if (body !== undefined) return { status: 400, error: invalidFormBody([{ path: ['payload_json'], code: 'FAKE_UNSUPPORTED', message: 'payload_json was sent twice.' }]) };
      try {
        body = JSON.parse(part.data.toString('utf8'));
      } catch {
        return { status: 400, error: { message: 'The request body contains invalid JSON.', code: 50109 } };
      }
      continue;
    }
    const index = /^files\[(\d+)\]$/.exec(part.name)?.[1];
    if (index === undefined || part.filename === undefined) {
      return { status: 400, error: invalidFormBody([{ path: [part.name], code: 'FAKE_UNSUPPORTED', message: 'The fake takes only payload_json and files[n] file parts.' }]) };
    }
    if (files.some((f) => f.index === Number(index))) {
      return { status: 400, error: invalidFormBody([{ path: [part.name], code: 'FAKE_UNSUPPORTED', message: `files[${index}] was sent twice.` }]) };
    }
    files.push({ index: Number(index), name: part.filename, contentType: part.contentType, bytes: part.data });
  }
  return { body: body ?? {}, files };
}

/**
 * Discord's rules for uploads: at most 10 files; at most 25 MiB in one request (413, code 40005); and when the body
 * lists `attachments`, each `files[n]` must be named by the entry with id n, and each entry with a small id must
 * have its file (an id that is a snowflake names an attachment the message already has, which an edit keeps).
 */
function uploadProblems(body: unknown, files: ReceivedFile[]): FormRefusal | undefined {
  const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
  if (total > UPLOAD_LIMITS.totalBytes) return { status: 413, error: { message: 'Request entity too large', code: 40005 } };
  const problems: FormProblem[] = [];
  if (files.length > UPLOAD_LIMITS.files) problems.push({ path: ['files'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${UPLOAD_LIMITS.files} or fewer in length.` });
  const payload = (body ?? {}) as Record<string, unknown>;
  // An interaction callback carries its message (and its attachments) in `data`.
  const message = (isRecord(payload.data) ? payload.data : payload) as Record<string, unknown>;
  const where = message === payload ? [] : ['data'];
  const declared = message.attachments;
  if (declared !== undefined && declared !== null) {
    if (!Array.isArray(declared)) {
      problems.push({ path: [...where, 'attachments'], code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    } else {
      for (const file of files) {
        if (!declared.some((a: unknown) => isRecord(a) && String(a.id) === String(file.index))) {
          problems.push({ path: [`files[${file.index}]`], code: 'ATTACHMENT_NOT_REFERENCED', message: `No attachment has id ${file.index} for files[${file.index}].` });
        }
      }
      declared.forEach((entry: unknown, i) => {
        if (!isRecord(entry) || entry.id === undefined) {
          problems.push({ path: [...where, 'attachments', i, 'id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
          return;
        }
        const uploadIndex = /^\d{1,4}$/.test(String(entry.id));
        if (uploadIndex && !files.some((f) => String(f.index) === String(entry.id))) {
          problems.push({ path: [...where, 'attachments', i, 'id'], code: 'ATTACHMENT_NOT_FOUND', message: `No file was uploaded as files[${String(entry.id)}].` });
        }
        if (typeof entry.description === 'string' && [...entry.description].length > UPLOAD_LIMITS.description) {
          problems.push({ path: [...where, 'attachments', i, 'description'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${UPLOAD_LIMITS.description} or fewer in length.` });
        }
      });
    }
  }
  return problems.length > 0 ? { status: 400, error: invalidFormBody(problems) } : undefined;
}

/** The content_type Discord reports: the part's type, or from the file's extension when the part said only octet-stream. */
function attachmentType(file: ReceivedFile): string {
  const sent = file.contentType?.split(';')[0]?.trim().toLowerCase();
  if (sent && sent !== 'application/octet-stream') return file.contentType ?? sent;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
  const byExtension: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', csv: 'text/csv; charset=utf-8', txt: 'text/plain; charset=utf-8', json: 'application/json' };
  return (extension && byExtension[extension]) || 'application/octet-stream';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
