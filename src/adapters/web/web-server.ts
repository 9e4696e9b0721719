import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logger.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

export interface WebServer {
  /** Sends requests whose path starts with `prefix` to `listener` (Slack events now; GitHub webhooks later). */
  route(prefix: string, listener: RequestListener): void;
  /** Listens on `port` (0 picks a free one) on all interfaces; resolves with the port. */
  start(port: number, host?: string): Promise<number>;
  stop(): Promise<void>;
}

/** The bot's one HTTP server on PORT: every HTTP edge registers a route here, and /health answers for all. */
export function createWebServer(logger: Logger): WebServer {
  const routes: { prefix: string; listener: RequestListener }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/health') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : '{"ok":true}');
      return;
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

  return {
    route(prefix, listener) {
      routes.push({ prefix, listener });
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
