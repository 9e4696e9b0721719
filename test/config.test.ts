import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_DATABASE_PATH, isLocalMode, loadConfig, readEnvFile } from '../src/config.ts';
import { describeStartupError } from '../src/startup-error.ts';
import { writeFileSync } from 'node:fs';
import { tempDir } from './helpers/temp-dir.ts';
import { thrown } from './helpers/thrown.ts';

const configError = (env: Record<string, string>) => thrown(ConfigError, () => loadConfig(env));

describe('loadConfig', () => {
  it('GIVEN nothing about GitHub polling THEN polls every 15 minutes within half the rate limit', () => {
    const { github } = loadConfig({});
    assert.deepEqual([github.pollMinutes, github.syncShare], [15, 0.5]);
    assert.deepEqual([loadConfig({ GITHUB_POLL_MINUTES: '5', GITHUB_SYNC_SHARE: '0.25' }).github.pollMinutes, loadConfig({ GITHUB_SYNC_SHARE: '0.25' }).github.syncShare], [5, 0.25]);
  });

  it('GIVEN no variables THEN runs in local mode on the default database', () => {
    const config = loadConfig({});
    assert.equal(config.databasePath, DEFAULT_DATABASE_PATH);
    assert.equal(config.port, 3000);
    assert.equal(config.logLevel, undefined);
    assert.equal(isLocalMode(config), true);
  });

  it('GIVEN empty values THEN treats them as unset, as .env files often have them', () => {
    const config = loadConfig({ DISCORD_TOKEN: '', LOG_LEVEL: '  ', PORT: '' });
    assert.equal(config.discord, undefined);
    assert.equal(config.logLevel, undefined);
    assert.equal(config.port, 3000);
  });

  it('GIVEN a bad LOG_LEVEL THEN names the variable, the value and what is expected, on one line', () => {
    const error = configError({ LOG_LEVEL: 'loud' });
    assert.equal(error.variable, 'LOG_LEVEL');
    assert.match(error.message, /^LOG_LEVEL is "loud"; expected one of fatal, error, warn, info, debug, trace, silent\.$/);
  });

  it('GIVEN a database folder that does not exist THEN refuses instead of creating it', () => {
    const error = configError({ DATABASE_PATH: '/nonexistent/dir/x.db' });
    assert.equal(error.variable, 'DATABASE_PATH');
    assert.match(error.message, /\/nonexistent\/dir does not exist/);
    assert.doesNotMatch(error.message, /\n/);
  });

  it('GIVEN a database path in an existing folder THEN accepts it', () => {
    const file = path.join(tempDir(), 'x.db');
    assert.equal(loadConfig({ DATABASE_PATH: file }).databasePath, file);
  });

  for (const [name, value, expected] of [
    ['PORT', '70000', /PORT is "70000"; expected a TCP port/],
    ['PORT', 'http', /PORT is "http"/],
    ['DISCORD_APPLICATION_ID', 'abc', /DISCORD_APPLICATION_ID is "abc"; expected the application id/],
    ['GITHUB_API_URL', 'ftp://x', /GITHUB_API_URL is "ftp:\/\/x"; expected an http\(s\) URL/],
    ['CONTENT_BASE_URL', 'not a url', /CONTENT_BASE_URL is "not a url"/],
    ['PUBLIC_URL', 'cohort.example.org', /PUBLIC_URL is "cohort.example.org"; expected the bot's public address, an http\(s\) URL/],
    ['PUBLIC_URL', 'ftp://cohort.example.org', /PUBLIC_URL is "ftp:\/\/cohort.example.org"/],
    ['PUBLIC_URL', 'https://cohort.example.org/?x=1', /without query or fragment/],
    ['PUBLIC_URL', 'https://cohort.example.org/#top', /without query or fragment/],
    ['GITHUB_APP_ID', '12ab', /GITHUB_APP_ID is "12ab"/],
    ['GITHUB_POLL_MINUTES', '90', /GITHUB_POLL_MINUTES is "90"; expected whole minutes from 1 to 59/],
    ['GITHUB_SYNC_SHARE', '1.5', /GITHUB_SYNC_SHARE is "1.5"; expected a fraction above 0 and at most 1/],
    ['GITHUB_SYNC_SHARE', '0', /GITHUB_SYNC_SHARE is "0"/],
  ] as const) {
    it(`GIVEN ${name}=${value} THEN explains what is expected`, () => {
      const error = configError({ [name]: value });
      assert.equal(error.variable, name);
      assert.match(error.message, expected);
    });
  }

  it('GIVEN a malformed secret THEN the message never echoes its value', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxp-secret-value-123', SLACK_SIGNING_SECRET: 's' });
    assert.equal(error.variable, 'SLACK_BOT_TOKEN');
    assert.match(error.message, /SLACK_BOT_TOKEN is set but not valid; expected a bot token starting with xoxb-/);
    assert.doesNotMatch(error.message, /secret-value/);
  });

  it('GIVEN DISCORD_TOKEN without DISCORD_APPLICATION_ID THEN asks for the id', () => {
    const error = configError({ DISCORD_TOKEN: 'abc.def.ghi', PUBLIC_URL: 'https://cohort.example.org' });
    assert.equal(error.variable, 'DISCORD_APPLICATION_ID');
    assert.match(error.message, /DISCORD_APPLICATION_ID is missing; it is needed when DISCORD_TOKEN is set/);
  });

  it('GIVEN a Slack bot token without signing secret or app token THEN says which to set', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1' });
    assert.match(error.message, /SLACK_SIGNING_SECRET .*SLACK_APP_TOKEN/);
  });

  const discord = { DISCORD_TOKEN: 'abc.def.ghi', DISCORD_APPLICATION_ID: '123456789012345678' };
  const slack = { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xapp-1-2' };
  for (const [platform, env] of [['Discord', discord], ['Slack', slack], ['Discord and Slack', { ...discord, ...slack }]] as const) {
    it(`GIVEN ${platform} without PUBLIC_URL or CONTENT_BASE_URL THEN stops with one line naming both`, () => {
      const error = configError(env);
      assert.equal(error.variable, 'PUBLIC_URL');
      assert.equal(
        describeStartupError(error),
        `configuration error: neither PUBLIC_URL nor CONTENT_BASE_URL is set; with ${platform} on, lecture links must open in a browser: set PUBLIC_URL (the address learners reach this bot at, e.g. https://cohort.example.org) or CONTENT_BASE_URL (a published copy of content/).`,
      );
    });

    it(`GIVEN ${platform} with PUBLIC_URL or with CONTENT_BASE_URL THEN starts`, () => {
      const withPublic = loadConfig({ ...env, PUBLIC_URL: 'https://cohort.example.org/' });
      assert.deepEqual([withPublic.publicUrl, withPublic.contentBaseUrl], ['https://cohort.example.org', undefined]);
      const withContent = loadConfig({ ...env, CONTENT_BASE_URL: 'https://example.test/content' });
      assert.deepEqual([withContent.publicUrl, withContent.contentBaseUrl], [undefined, 'https://example.test/content']);
    });
  }

  it('GIVEN local mode THEN needs neither: lectures open as files', () => {
    const config = loadConfig({});
    assert.deepEqual([config.publicUrl, config.contentBaseUrl], [undefined, undefined]);
  });

  it('GIVEN PUBLIC_URL with a path THEN keeps the path and drops trailing slashes', () => {
    assert.equal(loadConfig({ PUBLIC_URL: 'https://example.org/cohort//' }).publicUrl, 'https://example.org/cohort');
    assert.equal(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl, 'http://127.0.0.1:3000');
  });

  it('GIVEN PORT written as hex, an exponent or out of range THEN refuses it', () => {
    for (const port of ['0x50', '1e3', '65536', '-1', '80.5']) assert.equal(configError({ PORT: port }).variable, 'PORT', port);
    assert.equal(loadConfig({ PORT: '8080' }).port, 8080);
    assert.equal(loadConfig({ PORT: '0' }).port, 0);
  });

  it('GIVEN SLACK_COMMAND and SLACK_COMMAND_PREFIX THEN names Slack commands with them; a built-in or bad name is refused', () => {
    assert.deepEqual(loadConfig({}).slackCommands, { appCommand: '/cohort-bot', prefix: '' });
    assert.deepEqual(loadConfig({ SLACK_COMMAND: 'rust', SLACK_COMMAND_PREFIX: 'rust-' }).slackCommands, { appCommand: '/rust', prefix: 'rust-' });
    assert.match(configError({ SLACK_COMMAND: '/remind' }).message, /^SLACK_COMMAND is "\/remind"; expected a slash command name that is not one of Slack's built-ins/);
    assert.equal(configError({ SLACK_COMMAND: '/Cohort Bot' }).variable, 'SLACK_COMMAND');
    assert.equal(configError({ SLACK_COMMAND: `/${'x'.repeat(32)}` }).variable, 'SLACK_COMMAND');
    assert.equal(configError({ SLACK_COMMAND_PREFIX: 'Rust ' }).variable, 'SLACK_COMMAND_PREFIX');
  });

  it('GIVEN a GitHub App id without a key THEN asks for the key', () => {
    assert.equal(configError({ GITHUB_APP_ID: '42' }).variable, 'GITHUB_PRIVATE_KEY');
  });

  it('GIVEN a complete platform setup THEN leaves local mode and unescapes the private key', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'abc.def.ghi',
      DISCORD_APPLICATION_ID: '123456789012345678',
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_APP_TOKEN: 'xapp-1-2',
      GITHUB_APP_ID: '42',
      GITHUB_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----',
      CONTENT_BASE_URL: 'https://example.test/content/',
      PORT: '8080',
    });
    assert.equal(isLocalMode(config), false);
    assert.equal(config.discord?.applicationId, '123456789012345678');
    assert.equal(config.slack?.appToken, 'xapp-1-2');
    assert.equal(config.github.privateKey, '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----');
    assert.equal(config.contentBaseUrl, 'https://example.test/content');
    assert.equal(config.port, 8080);
  });
});

describe('readEnvFile', () => {
  it('GIVEN a .env file THEN reads its variables, comments and quotes handled', () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, '# a comment\nLOG_LEVEL=debug\nCONTENT_BASE_URL="https://example.test/c"\n');
    assert.deepEqual(readEnvFile(file), { LOG_LEVEL: 'debug', CONTENT_BASE_URL: 'https://example.test/c' });
  });

  it('GIVEN a stray line THEN names its line number, without showing it, instead of losing the next variable', () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, '# settings\nLOG_LEVEL=debug\nxoxb-secret-pasted-alone\nPORT=3000\n');
    const error = thrown(ConfigError, () => readEnvFile(file));
    assert.equal(error.variable, '.env');
    assert.match(error.message, /^line 3 of \.env is not NAME=value/);
    assert.doesNotMatch(error.message, /xoxb/);
  });

  it('GIVEN a quoted multi-line value (a PEM key) and export prefixes THEN reads them all', () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'export LOG_LEVEL=info\nGITHUB_PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----"\nPORT=8080\n');
    const values = readEnvFile(file);
    assert.equal(values.PORT, '8080');
    assert.match(values.GITHUB_PRIVATE_KEY ?? '', /^-----BEGIN RSA PRIVATE KEY-----\nabc\n/);
  });

  it('GIVEN no .env file THEN returns nothing', () => {
    assert.deepEqual(readEnvFile(path.join(tempDir(), 'missing.env')), {});
  });
});
