import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWebServer, type WebServer } from '../../src/adapters/web/web-server.ts';
import { createGithubWebhookHandler } from '../../src/github/webhook-handler.ts';
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
  let wakes = 0;
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
        onAccepted: () => {
          wakes += 1;
          processed();
        },
      }),
    );
    url = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}/github/webhook`;
  });
  after(() => web.stop());

  it('stores what a signed delivery asks for before answering 202, then wakes the sync', async () => {
    const handed = new Promise<void>((resolve) => (processed = resolve));
    const { status, deliveryId } = await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, secret: SECRET });
    assert.equal(status, 202);
    assert.ok(store.githubDeliveries.pending().some((p) => p.deliveryId === deliveryId && p.repo === 'octocat/rust-course'), 'stored before the answer');
    await handed;
  });

  it('stores a delivery that asks for nothing as done, and does not wake the sync', async () => {
    const before = wakes;
    const { status, deliveryId } = await sendGithubWebhook(url, { event: 'push', payload: { ref: 'refs/heads/experiment', repository: { full_name: 'octocat/rust-course', default_branch: 'main' } }, secret: SECRET });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(status, 202);
    assert.equal(wakes, before);
    assert.ok(!store.githubDeliveries.pending().some((p) => p.deliveryId === deliveryId));
    assert.equal((await sendGithubWebhook(url, { event: 'push', payload: {}, secret: SECRET, deliveryId })).status, 200, 'a redelivery of it is already received');
  });

  it('processes a redelivery of work that never finished, and only acknowledges one that did', async () => {
    const payload = { ...checkRun, repository: { full_name: 'octocat/redelivered' } };
    const first = await sendGithubWebhook(url, { event: 'check_run', payload, secret: SECRET, deliveryId: 'delivery-42' });
    const before = wakes;
    const again = await sendGithubWebhook(url, { event: 'check_run', payload, secret: SECRET, deliveryId: 'delivery-42' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([first.status, again.status], [202, 202], 'its sync never finished: processed again');
    assert.equal(wakes, before + 1);
    assert.equal(store.githubDeliveries.pending().filter((p) => p.deliveryId === 'delivery-42').length, 1, 'still one piece of work');

    store.githubDeliveries.markProcessed(['delivery-42'], new Date());
    const third = await sendGithubWebhook(url, { event: 'check_run', payload, secret: SECRET, deliveryId: 'delivery-42' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(third.status, 200);
    assert.equal(wakes, before + 1, 'done work is not done twice');
  });

  it('forgets delivery ids only after GitHub would no longer redeliver them, and never forgets pending work', () => {
    const received = new Date('2026-12-10T12:00:00Z');
    assert.equal(store.githubDeliveries.accept('old-delivery', 'push', null, received), 'new');
    assert.equal(store.githubDeliveries.accept('old-work', 'check_run', 'a/b', received), 'new');
    assert.equal(store.githubDeliveries.prune(new Date(received.getTime() - 1000)), 0);
    assert.equal(store.githubDeliveries.accept('old-delivery', 'push', null, received), 'done', 'still recognised');
    assert.ok(store.githubDeliveries.prune(new Date(received.getTime() + 1000)) >= 1);
    assert.equal(store.githubDeliveries.accept('old-delivery', 'push', null, received), 'new');
    assert.equal(store.githubDeliveries.accept('old-work', 'check_run', 'a/b', received), 'pending', 'pending work is kept');
  });

  it('refuses a bad or missing signature with 401 and stores nothing', async () => {
    const stored = store.githubDeliveries.count();
    const before = wakes;
    assert.equal((await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, secret: 'not-the-secret' })).status, 401);
    assert.equal((await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, signature: null })).status, 401);
    assert.equal((await sendGithubWebhook(url, { event: 'check_run', payload: checkRun, signature: 'sha1=deadbeef' })).status, 401);
    assert.equal(store.githubDeliveries.count(), stored);
    assert.equal(wakes, before);
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
