/**
 * What FakeSlack keeps per conversation: messages as conversations.history returns them, and the app's direct
 * message channels (conversations.open). Timestamps are real Slack `ts` strings: epoch seconds and six digits.
 */

export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

export interface StoredMessage {
  ts: string;
  text: string;
  blocks: unknown[];
  metadata?: MessageMetadata;
}

type Params = Record<string, unknown>;
type Answer = Record<string, unknown> & { ok: boolean };

const BOT = { user: 'U0BOT', bot_id: 'B0BOT', app_id: 'A0COHORTBOT' } as const;

export class FakeConversations {
  /** Oldest first, per channel id. */
  private readonly messages = new Map<string, StoredMessage[]>();
  /** Sorted, comma-joined user ids → the D… (one user) or G… (several) channel id. */
  private readonly directs = new Map<string, string>();
  private lastMicros = 0n;

  /** At most this many messages per history page, whatever `limit` asks (Slack may return fewer too). */
  pageCap: number | undefined;

  constructor(private readonly channels: readonly string[]) {}

  /** conversations.open: the same id every time for the same users, as on Slack. */
  open(users: string[]): string {
    const key = [...new Set(users)].sort().join(',');
    let id = this.directs.get(key);
    if (!id) {
      id = `${users.length === 1 ? 'D' : 'G'}0IM${String(this.directs.size + 1).padStart(6, '0')}`;
      this.directs.set(key, id);
    }
    return id;
  }

  /** Where a chat.postMessage `channel` lands: a user id posts in the app's IM with that user; undefined if unknown. */
  resolve(channel: string): string | undefined {
    if (/^U[A-Z0-9]+$/.test(channel)) return this.open([channel]);
    if (this.channels.includes(channel) || [...this.directs.values()].includes(channel)) return channel;
    return undefined;
  }

  add(channel: string, message: Omit<StoredMessage, 'ts'>): StoredMessage {
    const stored = { ...message, ts: this.nextTs() };
    const list = this.messages.get(channel) ?? [];
    list.push(stored);
    this.messages.set(channel, list);
    return stored;
  }

  /** chat.update: replaces a stored message's text and blocks; false when there is no such message (deleted). */
  update(channel: string, ts: string, changes: { text: string; blocks: unknown[] }): boolean {
    const message = this.messages.get(channel)?.find((m) => m.ts === ts);
    if (!message) return false;
    Object.assign(message, changes);
    return true;
  }

  /** Someone deleted a message: it is gone from history and cannot be updated. */
  remove(channel: string, ts: string): void {
    this.messages.set(channel, (this.messages.get(channel) ?? []).filter((m) => m.ts !== ts));
  }

  /** conversations.history: newest first, `oldest`/`latest` exclusive unless `inclusive`, cursor paging. */
  history(params: Params): Answer {
    // A user id is not a conversation here: history needs the IM's D… id from conversations.open.
    const requested = String(params.channel ?? '');
    const channel = /^U/.test(requested) ? undefined : this.resolve(requested);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const inclusive = truthy(params.inclusive);
    const oldest = params.oldest === undefined ? -1n : micros(String(params.oldest));
    if (oldest === undefined) return { ok: false, error: 'invalid_ts_oldest' };
    const latest = params.latest === undefined ? BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n : micros(String(params.latest));
    if (latest === undefined) return { ok: false, error: 'invalid_ts_latest' };
    let newestFirst = [...(this.messages.get(channel) ?? [])].reverse().filter((m) => {
      const t = micros(m.ts) ?? 0n;
      return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
    });
    if (params.cursor) {
      const from = /^next_ts:(\d+\.\d+)$/.exec(Buffer.from(String(params.cursor), 'base64').toString('utf8'))?.[1];
      if (!from) return { ok: false, error: 'invalid_cursor' };
      newestFirst = newestFirst.filter((m) => (micros(m.ts) ?? 0n) <= (micros(from) ?? 0n));
    }
    const limit = Math.min(Number(params.limit ?? 100) || 100, 999, this.pageCap ?? 999);
    const page = newestFirst.slice(0, limit);
    const next = newestFirst[limit];
    const withMetadata = truthy(params.include_all_metadata);
    return {
      ok: true,
      messages: page.map(({ metadata, ...m }) => ({ type: 'message', ...BOT, ...m, ...(withMetadata && metadata ? { metadata } : {}) })),
      has_more: next !== undefined,
      pin_count: 0,
      ...(next ? { response_metadata: { next_cursor: Buffer.from(`next_ts:${next.ts}`).toString('base64') } } : {}),
    };
  }

  /** Unique and increasing, from the wall clock, like Slack's. */
  private nextTs(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.lastMicros = now > this.lastMicros ? now : this.lastMicros + 1n;
    return `${this.lastMicros / 1_000_000n}.${String(this.lastMicros % 1_000_000n).padStart(6, '0')}`;
  }
}

function micros(ts: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts);
  if (!match) return undefined;
  return BigInt(match[1] ?? '0') * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'));
}

/** Form bodies carry booleans as "true" or "1"; JSON bodies as booleans. */
function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** Slack's `metadata` argument: a JSON string in form bodies, an object in JSON bodies. */
export function parseMetadata(value: unknown): MessageMetadata | undefined | 'invalid' {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'invalid';
    }
  }
  const candidate = parsed as Partial<MessageMetadata> | null;
  if (typeof candidate?.event_type !== 'string' || typeof candidate.event_payload !== 'object' || candidate.event_payload === null) return 'invalid';
  return { event_type: candidate.event_type, event_payload: candidate.event_payload };
}
