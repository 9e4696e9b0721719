import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { createWebServer } from '../../../src/adapters/web/web-server.ts';
import { createLogger } from '../../../src/logger.ts';

describe("the bot's web server", () => {
  it('answers /health and unknown paths with the same security headers as its pages', async () => {
    const web = createWebServer(createLogger('silent'));
    const base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
    for (const [path, method, status] of [['/health', 'GET', 200], ['/health', 'HEAD', 200], ['/nothing/here', 'GET', 404]] as const) {
      const response = await fetch(`${base}${path}`, { method });
      assert.equal(response.status, status, `${method} ${path}`);
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      await response.arrayBuffer();
    }
    await web.stop();
  });

  it('answers /readyz 200 when the check finds nothing, else 503 naming each problem, also when the check itself fails', async () => {
    const web = createWebServer(createLogger('silent'));
    let check: () => string[] = () => [];
    web.readiness(() => check());
    const base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
    const ask = async () => {
      const response = await fetch(`${base}/readyz`);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      return [response.status, await response.json()];
    };
    assert.deepEqual(await ask(), [200, { ready: true }]);
    check = () => ['the database is closed', 'Slack: Socket Mode reconnecting'];
    assert.deepEqual(await ask(), [503, { ready: false, problems: ['the database is closed', 'Slack: Socket Mode reconnecting'] }]);
    check = () => {
      throw new Error('boom');
    };
    assert.deepEqual(await ask(), [503, { ready: false, problems: ['the readiness check failed: boom'] }]);
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'alive all along');
    await web.stop();
  });

  it('refuses a body declared too large before reading it, and drops a request whose body never finishes', async () => {
    let reached = false;
    const web = createWebServer(createLogger('silent'), { maxBodyBytes: 1024, requestTimeoutMs: 400 });
    web.route('/hook', (req, res) => {
      reached = true;
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    const port = await web.start(0, '127.0.0.1');
    const raw = async (request: string) => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(request);
      let answer = '';
      socket.on('data', (chunk) => (answer += String(chunk)));
      const started = Date.now();
      await once(socket, 'close');
      return { answer, ms: Date.now() - started };
    };
    // 100 MB announced, nothing sent: answered at once, the route never called.
    const big = await raw('POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n');
    assert.match(big.answer, /^HTTP\/1\.1 413 /);
    assert.equal(reached, false);
    // 100 bytes announced, 2 sent, then silence: cut off after the request timeout, not minutes later.
    const slow = await raw('POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab');
    assert.ok(slow.ms < 5_000, `closed after ${slow.ms} ms`);
    assert.match(slow.answer, /^HTTP\/1\.1 408 |^$/);
    // A chunked body has no length to check before reading it: refused (411) without calling the route.
    reached = false;
    const chunked = await raw('POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n' + 'a'.repeat(1024) + '\r\n');
    assert.match(chunked.answer, /^HTTP\/1\.1 411 /);
    assert.equal(reached, false);
    await web.stop();
  });
});
