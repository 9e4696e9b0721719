import assert from 'node:assert/strict';
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
});
