import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { FakeDiscord, FAKE_IDS } from './fakes/discord/fake-discord.ts';
import { tempDir } from './helpers/temp-dir.ts';

describe('health and readiness probes', { timeout: 60_000 }, () => {
  it('serve on PORT even when nothing else needs HTTP; /readyz says 503 and why while Discord is disconnected', async () => {
    const fake = await FakeDiscord.start();
    const config = loadConfig({
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
      DISCORD_GUILD_ID: FAKE_IDS.guildId,
      DISCORD_API_URL: fake.apiUrl,
      DATABASE_PATH: path.join(tempDir(), 'probes.db'),
      PORT: '0',
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
    } finally {
      app.stop();
      await app.done;
      await fake.close();
    }
  });
});
