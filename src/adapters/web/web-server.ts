import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logger.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

export interface WebServer {
  /** Sends requests whose path starts with `prefix` to `listener` (Slack events now; GitHub webhooks later). */
  route(prefix: string, listener: RequestListener): void;
  /** What /readyz asks: each problem that makes the bot not ready (store closed, a platform disconnected); none when ready. */
  readiness(check: () => string[]): void;
  /** Listens on `port` (0 picks a free one) on all interfaces; resolves with the port. */
  start(port: number, host?: string): Promise<number>;
  stop(): Promise<void>;
}

export interface WebServerLimits {
  /** Bodies declared larger than this are refused (413) before a byte of them is read. */
  maxBodyBytes: number;
  /** A request must arrive whole within this (slow bodies hold no connection for minutes). */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** Slack and GitHub send bodies of kilobytes (GitHub caps webhooks at 25 MB, ours are far smaller). */
export const WEB_LIMITS: WebServerLimits = { maxBodyBytes: 1024 * 1024, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 };

/**
 * The bot's one HTTP server on PORT: every HTTP edge registers a route here. `/health` and `/healthz` answer 200 while
 * the process serves; `/readyz` answers 200 when the readiness check finds no problem, else 503 naming them.
 */
export function createWebServer(logger: Logger, limits: Partial<WebServerLimits> = {}): WebServer {
  const { maxBodyBytes, requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs, maxConnections } = { ...WEB_LIMITS, ...limits };
  const routes: { prefix: string; listener: RequestListener }[] = [];
  let readiness: () => string[] = () => [];
  // Node checks request timeouts every `connectionsCheckingInterval` (30 s by default): often enough to honour ours.
  const timeouts = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
    keepAliveTimeout: keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(requestTimeoutMs / 4))),
  };
  const server = createServer(timeouts, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const started = performance.now();
    // Requests are logged by method, path and status only: never headers or bodies, which carry tokens and signatures.
    res.once('finish', () => logger.debug({ method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'HTTP request'));
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) {
      res.writeHead(413, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end('{"error":"payload too large"}');
      req.socket.end();
      return;
    }
    const probe = (status: number, body: unknown) =>
      res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    // A body without a declared length could only be bounded by reading it: GitHub and Slack always declare one.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] !== undefined) {
      res.writeHead(411, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end('{"error":"a Content-Length is required"}');
      res.once('finish', () => closeUnread(req));
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/health' || path === '/healthz')) return probe(200, { ok: true });
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/readyz') {
      let problems: string[];
      try {
        problems = readiness();
      } catch (error) {
        problems = [`the readiness check failed: ${error instanceof Error ? error.message : String(error)}`];
      }
      return probe(problems.length === 0 ? 200 : 503, problems.length === 0 ? { ready: true } : { ready: false, problems });
    }
    const route = routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
    if (!route) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' }).end('{"error":"not found"}');
      return;
    }
    try {
      route.listener(req, res);
    } catch (error) {
      logger.error({ err: error, path }, 'HTTP handler failed');
      if (!res.headersSent) res.writeHead(500).end();
    }
  });

  server.maxConnections = maxConnections;

  return {
    route(prefix, listener) {
      routes.push({ prefix, listener });
    },
    readiness(check) {
      readiness = check;
    },
    async start(port, host) {
      server.listen(port, host);
      await once(server, 'listening');
      const actual = (server.address() as AddressInfo).port;
      logger.info({ port: actual }, 'HTTP server listening');
      return actual;
    },
    async stop() {
      if (!server.listening) return;
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * Ends a connection whose request body will not be read: reading stops (the sender is held back by TCP), the answer
 * already written is delivered with a graceful close, and the socket is destroyed a second later whatever the peer does.
 */
export function closeUnread(req: IncomingMessage): void {
  req.pause();
  req.socket.end();
  setTimeout(() => req.socket.destroy(), 1_000).unref();
}
