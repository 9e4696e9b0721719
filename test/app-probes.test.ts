import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { FakeDiscord, FAKE_IDS, ORGANISER } from './fakes/discord/fake-discord.ts';
import { tempDir } from './helpers/temp-dir.ts';

describe('health, readiness and metrics', { timeout: 60_000 }, () => {
  it('serve on PORT even when nothing else needs HTTP; /readyz says 503 and why while Discord is disconnected; /metrics counts commands behind a bearer token', async () => {
    const fake = await FakeDiscord.start();
    const config = loadConfig({
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
      DISCORD_GUILD_ID: FAKE_IDS.guildId,
      DISCORD_API_URL: fake.apiUrl,
      DATABASE_PATH: path.join(tempDir(), 'probes.db'),
      PORT: '0',
      METRICS_TOKEN: 'scrape-token-0123456789',
      CONTENT_BASE_URL: 'https://example.test/content',
      LOG_LEVEL: 'silent',
    });
    const app = await startApp(config, { input: new PassThrough(), output: new PassThrough(), httpHost: '127.0.0.1' });
    try {
      assert.ok(app.httpPort, 'PORT set: the HTTP server runs for the probes');
      const base = `http://127.0.0.1:${app.httpPort}`;
      assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { ok: true });
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { ready: true });

      // The gateway drops the connection and refuses to resume: not ready until discord.js is back.
      fake.dropConnection(4009);
      let answer: { status: number; body: unknown } | undefined;
      for (let i = 0; i < 50; i += 1) {
        const response = await fetch(`${base}/readyz`);
        answer = { status: response.status, body: await response.json() };
        if (answer.status === 503) break;
        await sleep(20);
      }
      assert.deepEqual(answer, { status: 503, body: { ready: false, problems: ['Discord: the gateway is not connected'] } });
      await fake.nextSession();
      for (let i = 0; i < 100 && (await fetch(`${base}/readyz`)).status !== 200; i += 1) await sleep(50);
      assert.equal((await fetch(`${base}/readyz`)).status, 200, 'ready again after the reconnect');

      // Metrics: refused without the bearer token; with it, commands counted and timed per command and platform.
      assert.equal((await fetch(`${base}/metrics`)).status, 401);
      assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
      await fake.responsesFor(fake.sendInteraction({ user: ORGANISER, command: 'help' }));
      await fake.responsesFor(fake.sendInteraction({ user: ORGANISER, command: 'progress' }));
      const scrape = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await scrape.text();
      assert.match(text, /^cohort_bot_commands_total\{command="help",platform="discord",outcome="answered"\} 1$/m);
      assert.match(text, /^cohort_bot_commands_total\{command="progress",platform="discord",outcome="refused"\} 1$/m, 'no cohort in the channel: a clear refusal');
      assert.match(text, /^cohort_bot_command_seconds_bucket\{le="\+Inf",command="help",platform="discord"\} 1$/m);
      assert.match(text, /^cohort_bot_outbox_depth 0$/m);
      assert.match(text, /^# TYPE cohort_bot_github_rate_limit_remaining gauge$/m);
      assert.ok(!text.includes('scrape-token') && !text.includes(fake.token), 'no secret in the metrics');
    } finally {
      app.stop();
      await app.done;
      await fake.close();
    }
  });
});
