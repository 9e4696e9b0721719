import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../../store/store.ts';
import type { Telemetry } from '../../telemetry.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

/**
 * The bot's metrics in Prometheus text format at `GET /metrics`, from the telemetry events (counters, a latency
 * histogram per command and platform) and from the store at each scrape (outbox depth, last post per cohort).
 * With METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`.
 */
export function createMetrics(store: Store): { telemetry: Telemetry; handler(token: string | undefined): RequestListener; registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cohort_bot_' });
  const commands = new Counter({ name: 'cohort_bot_commands_total', help: 'Commands handled, by command, platform and outcome', labelNames: ['command', 'platform', 'outcome'], registers: [registry] });
  const latency = new Histogram({
    name: 'cohort_bot_command_seconds',
    help: 'Time to answer a command, by command and platform',
    labelNames: ['command', 'platform'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({ name: 'cohort_bot_errors_total', help: 'Errors by kind', labelNames: ['kind'], registers: [registry] });
  const deliveries = new Counter({ name: 'cohort_bot_outbox_deliveries_total', help: 'Outbox messages sent, retried and given up on, by message kind', labelNames: ['outcome', 'kind'], registers: [registry] });
  const webhooks = new Counter({ name: 'cohort_bot_github_webhooks_total', help: 'GitHub webhook deliveries accepted or refused', labelNames: ['outcome'], registers: [registry] });
  const syncs = new Counter({ name: 'cohort_bot_github_syncs_total', help: 'GitHub syncs, by trigger', labelNames: ['trigger'], registers: [registry] });
  const syncFailures = new Counter({ name: 'cohort_bot_github_sync_failures_total', help: 'Learners whose repo a sync could not read, by trigger', labelNames: ['trigger'], registers: [registry] });
  const rateLimit = new Gauge({ name: 'cohort_bot_github_rate_limit_remaining', help: 'What GitHub last said is left of each rate-limit resource', labelNames: ['resource'], registers: [registry] });
  new Gauge({
    name: 'cohort_bot_outbox_depth',
    help: 'Outbox messages waiting to be sent',
    registers: [registry],
    collect() {
      this.set(store.outbox.pendingTotal());
    },
  });
  new Gauge({
    name: 'cohort_bot_outbox_failed',
    help: 'Outbox messages given up on and not yet resent',
    registers: [registry],
    collect() {
      this.set(store.outbox.failedTotal());
    },
  });
  new Gauge({
    name: 'cohort_bot_last_post_timestamp_seconds',
    help: 'When the last channel post of each cohort was sent (Unix time)',
    labelNames: ['cohort'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { cohortId, sentAt } of store.outbox.lastChannelPosts()) this.set({ cohort: String(cohortId) }, Math.floor(sentAt.getTime() / 1000));
    },
  });

  const telemetry: Telemetry = {
    command({ command, platform, outcome, seconds }) {
      commands.inc({ command, platform, outcome });
      latency.observe({ command, platform }, seconds);
      if (outcome === 'failed') errors.inc({ kind: 'command' });
    },
    error: (kind) => errors.inc({ kind }),
    delivery(outcome, kind) {
      deliveries.inc({ outcome, kind });
      if (outcome === 'failed') errors.inc({ kind: 'delivery' });
    },
    webhook: (outcome) => webhooks.inc({ outcome }),
    sync({ trigger, failures }) {
      syncs.inc({ trigger });
      if (failures > 0) {
        syncFailures.inc({ trigger }, failures);
        errors.inc({ kind: 'sync' }, failures);
      }
    },
    githubRateLimit: (resource, remaining) => rateLimit.set({ resource }, remaining),
  };

  const handler = (token: string | undefined): RequestListener => async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD' }).end();
    if ((req.url ?? '').split('?')[0] !== '/metrics') return void res.writeHead(404, SECURITY_HEADERS).end();
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      return void res.writeHead(401, { ...SECURITY_HEADERS, 'www-authenticate': 'Bearer' }).end();
    }
    const text = await registry.metrics();
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text);
  };
  return { telemetry, handler, registry };
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
