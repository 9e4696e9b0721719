import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { describeStartupError } from '../../src/startup-error.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function start(env: Record<string, string>) {
  const config = loadConfig({ DATABASE_PATH: path.join(tempDir(), 'creds.db'), LOG_LEVEL: 'warn', ...env });
  return startApp(config, { input: new PassThrough(), output: new PassThrough() });
}

async function startupLine(env: Record<string, string>): Promise<string | undefined> {
  try {
    const app = await start(env);
    app.stop();
    await app.done;
    return undefined;
  } catch (error) {
    return describeStartupError(error);
  }
}

describe('GitHub credentials are checked at start', { timeout: 30_000 }, () => {
  it('a wrong GITHUB_TOKEN stops the start with one line naming it, before any learner sees "GitHub did not answer"', async () => {
    const fake = await FakeGithub.start('ghp_the_right_token');
    try {
      assert.equal(await startupLine({ GITHUB_TOKEN: 'ghp_a_wrong_token', GITHUB_API_URL: fake.apiUrl }), 'GitHub setup error: GitHub refused GITHUB_TOKEN (401 Bad credentials): it is wrong, expired or revoked; make a new one.');
      assert.equal(await startupLine({ GITHUB_TOKEN: 'ghp_the_right_token', GITHUB_API_URL: fake.apiUrl }), undefined, 'the right one starts');
      assert.equal(fake.used, 0, 'the check costs no rate limit');
    } finally {
      await fake.close();
    }
  });

  it('a GitHub App: a key with a garbage body names GITHUB_PRIVATE_KEY, another App’s key names the App id and key', async () => {
    const fake = await FakeGithub.start();
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    fake.enableApp('4242', publicKey);
    try {
      const garbage = '-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END RSA PRIVATE KEY-----\n';
      assert.match(await startupLine({ GITHUB_APP_ID: '4242', GITHUB_PRIVATE_KEY: garbage, GITHUB_API_URL: fake.apiUrl }) ?? '', /^GitHub setup error: GITHUB_PRIVATE_KEY (cannot sign|is not a private key)/);
      assert.equal(
        await startupLine({ GITHUB_APP_ID: '4242', GITHUB_PRIVATE_KEY: other, GITHUB_API_URL: fake.apiUrl }),
        "GitHub setup error: GitHub refused the App (401): check that GITHUB_APP_ID is the App's id and GITHUB_PRIVATE_KEY a current key of that App.",
      );
    } finally {
      await fake.close();
    }
  });

  it('GitHub unreachable at start is not a credentials problem: the bot starts (and syncs try again later)', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const app = await start({ GITHUB_TOKEN: 'ghp_any', GITHUB_API_URL: `http://127.0.0.1:${port}` });
    app.stop();
    await app.done;
  });
});
