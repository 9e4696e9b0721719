import type { Telemetry } from '../telemetry.ts';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { repoToSync } from './webhook-events.ts';
import { isValidGithubSignature } from './webhook-signature.ts';
import { closeUnread } from '../adapters/web/web-server.ts';

/** A verified, first-time delivery, handed over after GitHub already has its answer. */
export interface GithubEvent {
  name: string;
  deliveryId: string;
  payload: Record<string, unknown>;
}

export interface WebhookHandlerOptions {
  /** Counts deliveries accepted and refused. */
  telemetry?: Telemetry;
  secret: string;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Told after a delivery's work was stored and answered, so it is done soon; what to do is in the store. */
  onAccepted(): void;
  maxBytes?: number;
}

const headersSchema = z.object({
  'x-github-event': z.string().regex(/^[a-z_]{1,64}$/),
  'x-github-delivery': z.string().min(1).max(100),
});

/**
 * `POST /github/webhook`: signature checked on the raw bytes first (401, nothing stored, on a bad or missing one),
 * then the delivery id and the repository it asks to sync are stored in one statement before the 202, so a crash
 * right after the answer loses nothing (pending work is done at start). A redelivery of work already done is
 * acknowledged without processing; one whose work never finished is processed. The answer never waits for a
 * sync, so GitHub's 10-second limit never depends on how long one takes.
 */
export function createGithubWebhookHandler(options: WebhookHandlerOptions): RequestListener {
  const { store, clock } = options;
  const logger = options.logger.child({ edge: 'github-webhook' });
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;

  return (req: IncomingMessage, res: ServerResponse) => {
    const answer = (status: number, message: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
    if (req.method !== 'POST') return void answer(405, 'POST only');
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      if (refused) return;
      // Refused as soon as it is too big, and the connection closed: the rest is never read.
      refused = true;
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ message: 'payload too large' }));
      res.once('finish', () => closeUnread(req));
    });
    req.on('end', () => {
      if (refused) return;
      const raw = Buffer.concat(chunks);
      if (!isValidGithubSignature(options.secret, raw, req.headers['x-hub-signature-256'] as string | undefined)) {
        logger.warn({ delivery: req.headers['x-github-delivery'] }, 'webhook refused: bad or missing signature (check GITHUB_WEBHOOK_SECRET)');
        options.telemetry?.webhook('refused');
        return answer(401, 'bad signature');
      }
      const headers = headersSchema.safeParse(req.headers);
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        payload = undefined;
      }
      if (!headers.success || typeof payload !== 'object' || payload === null) {
        options.telemetry?.webhook('refused');
        return answer(400, 'not a GitHub webhook');
      }
      const { 'x-github-event': name, 'x-github-delivery': deliveryId } = headers.data;
      const repo = repoToSync({ name, deliveryId, payload: payload as Record<string, unknown> });
      const accepted = store.githubDeliveries.accept(deliveryId, name, repo, clock.now());
      if (accepted === 'done') return answer(200, 'already received');
      answer(202, 'accepted');
      options.telemetry?.webhook('accepted');
      if (repo) {
        logger.debug({ event: name, delivery: deliveryId, repo, redelivery: accepted === 'pending' }, 'webhook: sync queued');
        setImmediate(() => options.onAccepted());
      }
    });
  };
}
