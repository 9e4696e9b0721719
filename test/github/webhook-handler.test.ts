import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWebServer, type WebServer } from '../../src/adapters/web/web-server.ts';
import { createGithubWebhookHandler, type GithubEvent } from '../../src/github/webhook-handler.ts';
import { isValidGithubSignature } from '../../src/github/webhook-signature.ts';
import type { Store } from '../../src/store/store.ts';
import { sendGithubWebhook } from '../fakes/github/webhook-sender.ts';
import { testServices } from '../helpers/test-services.ts';

const SECRET = 'webhook-secret-0123456789';
const checkRun = { action: 'completed', check_run: { name: 'ex01-lru-cache', head_sha: 'a'.repeat(40), conclusion: 'success' }, repository: { full_name: 'octocat/rust-course' } };

describe('GitHub webhook endpoint', () => {
  let web: WebServer;
  let store: Store;
  let url = '';
  const events: GithubEvent[] = [];
  let processed: () => void = () => {};

  before(async () => {
    const env = await testServices(new Date('2026-12-10T12:00:00Z'));
    store = env.store;
    web = createWebServer(env.services.logger);
    web.route(
      '/github/webhook',
      createGithubWebhookHandler({
        secret: SECRET,
        store,
        clock: env.clock,
        logger: env.services.logger,
        onEvent: (event) => {
          events.push(event);
          processed();
        },
      }),
    );
    url = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}/github/webhook`;
  });
  after(() => web.stop());

  it('accepts a signed delivery with 202 and hands it over after answering', async () => {
    const handed = new Promise<void>((resolve) => (processed = resolve));
    const { status, deliveryId } = await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, secret: SECRET });
    assert.equal(status, 202);
    await handed;
    assert.deepEqual(events.at(-1), { name: 'check_run', deliveryId, payload: checkRun });
  });

  it('acknowledges a redelivery without processing it again', async () => {
    const before = events.length;
    const first = await sendGithubWebhook(url, { event: 'push', payload: { ref: 'refs/heads/main' }, secret: SECRET, deliveryId: 'delivery-42' });
    const again = await sendGithubWebhook(url, { event: 'push', payload: { ref: 'refs/heads/main' }, secret: SECRET, deliveryId: 'delivery-42' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([first.status, again.status], [202, 200]);
    assert.equal(events.length, before + 1);
  });

  it('forgets delivery ids only after GitHub would no longer redeliver them', () => {
    const received = new Date('2026-12-10T12:00:00Z');
    assert.equal(store.githubDeliveries.accept('old-delivery', 'push', received), true);
    assert.equal(store.githubDeliveries.prune(new Date(received.getTime() - 1000)), 0);
    assert.equal(store.githubDeliveries.accept('old-delivery', 'push', received), false, 'still recognised');
    assert.ok(store.githubDeliveries.prune(new Date(received.getTime() + 1000)) >= 1);
    assert.equal(store.githubDeliveries.accept('old-delivery', 'push', received), true);
  });

  it('refuses a bad or missing signature with 401 and stores nothing', async () => {
    const stored = store.githubDeliveries.count();
    const before = events.length;
    assert.equal((await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, secret: 'not-the-secret' })).status, 401);
    assert.equal((await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, signature: null })).status, 401);
    assert.equal((await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, signature: 'sha1=deadbeef' })).status, 401);
    assert.equal(store.githubDeliveries.count(), stored);
    assert.equal(events.length, before);
  });

  it('refuses other methods', async () => {
    assert.equal((await fetch(url)).status, 405);
  });
});

describe('isValidGithubSignature', () => {
  it("matches GitHub's documented example", () => {
    // From GitHub's "Validating webhook deliveries" guide.
    const body = Buffer.from('Hello, World!');
    assert.equal(isValidGithubSignature("It's a Secret to Everybody", body, 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'), true);
    assert.equal(isValidGithubSignature("It's a Secret to Everybody", body, 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18'), false);
    assert.equal(isValidGithubSignature("It's a Secret to Everybody", body, undefined), false);
  });
});
