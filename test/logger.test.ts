import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { captureLogs } from './helpers/test-services.ts';

describe('logger', () => {
  it('redacts tokens and secrets wherever they sit, even when a whole config is logged', () => {
    const logs = captureLogs();
    const logger = createLogger('info', logs.stream);
    const config = loadConfig({
      DISCORD_TOKEN: 'discord-secret.aaa.bbb',
      DISCORD_APPLICATION_ID: '123456789012345678',
      SLACK_BOT_TOKEN: 'xoxb-slack-secret',
      SLACK_SIGNING_SECRET: 'signing-secret-value',
      GITHUB_WEBHOOK_SECRET: 'webhook-secret-value-123',
      PUBLIC_URL: 'https://cohort.example.org',
    });
    logger.info({ config, token: 'top-level-secret', headers: { authorization: 'Bearer hidden' } }, 'starting');
    const written = JSON.stringify(logs.lines());
    for (const secret of ['discord-secret', 'xoxb-slack-secret', 'signing-secret-value', 'webhook-secret-value', 'top-level-secret', 'Bearer hidden']) {
      assert.ok(!written.includes(secret), `${secret} must not reach the log`);
    }
    assert.match(written, /\[redacted\]/);
    assert.match(written, /123456789012345678/, 'non-secret values are still logged');
  });

  it('respects the level', () => {
    const logs = captureLogs();
    const logger = createLogger('warn', logs.stream);
    logger.info('quiet');
    logger.warn('loud');
    assert.deepEqual(logs.lines().map((l) => l.msg), ['loud']);
  });
});
