import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What a platform's edge does to a request when it goes wrong: a 5xx, a rate limit with `retry-after`, no answer
 * until the connection is cut (a timeout), a connection reset before the request is handled, or one after it was
 * handled, so the client cannot know that it worked (`lost-answer`).
 */
export type FaultKind = 'server-error' | 'rate-limited' | 'timeout' | 'reset' | 'lost-answer';

/** A small seeded generator (mulberry32): the same seed gives the same faults, so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, request by request, which ones fail and how; counts what it injected. */
export class FaultPlan {
  readonly injected = new Map<FaultKind, number>();
  considered = 0;
  private readonly random: () => number;

  constructor(
    readonly rate: number,
    seed: number,
    readonly kinds: readonly FaultKind[],
    /** How long a `timeout` holds the request before cutting the connection. */
    readonly timeoutMs = 1_500,
  ) {
    this.random = seededRandom(seed);
  }

  next(): FaultKind | undefined {
    this.considered += 1;
    if (this.random() >= this.rate) return undefined;
    const kind = this.kinds[Math.floor(this.random() * this.kinds.length)]!;
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
    return kind;
  }

  get total(): number {
    return [...this.injected.values()].reduce((sum, n) => sum + n, 0);
  }

  summary(): string {
    const kinds = [...this.injected].map(([kind, n]) => `${kind} ${n}`).join(', ');
    return `${this.total} of ${this.considered} requests${kinds ? ` (${kinds})` : ''}`;
  }
}

/**
 * Applies `kind` to a request a fake is about to handle. Returns true when the fault ended the request; false for
 * `lost-answer`, where the fake handles it as usual and only its answer is lost.
 */
export async function applyFault(kind: FaultKind, res: ServerResponse, answers: { serverError(): void; rateLimited(): void }, timeoutMs: number): Promise<boolean> {
  switch (kind) {
    case 'server-error':
      answers.serverError();
      return true;
    case 'rate-limited':
      answers.rateLimited();
      return true;
    case 'reset':
      res.socket?.destroy();
      return true;
    case 'timeout':
      await sleep(timeoutMs);
      res.socket?.destroy();
      return true;
    case 'lost-answer':
      // The work is done, then the connection drops before the answer leaves.
      res.writeHead = (() => res) as unknown as ServerResponse['writeHead'];
      res.end = (() => {
        res.socket?.destroy();
        return res;
      }) as unknown as ServerResponse['end'];
      return false;
  }
}
