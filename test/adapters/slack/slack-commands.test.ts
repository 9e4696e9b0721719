import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slackManifest } from '../../../src/adapters/slack/manifest.ts';
import {
  DEFAULT_SLACK_COMMANDS,
  SLACK_BUILT_IN_COMMANDS,
  slackCommandForm,
  slackNamesProblem,
  slackShortCommand,
  slackTarget,
} from '../../../src/adapters/slack/slack-commands.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';

type Manifest = {
  features: { slash_commands: { command: string; url?: string; usage_hint: string }[]; app_home: { home_tab_enabled: boolean } };
  settings: {
    socket_mode_enabled: boolean;
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions: { request_url?: string; bot_events: string[] };
  };
};

const commands = await loadCommands();
const names = commands.map((c) => c.name);
const listed = (manifest: Record<string, unknown>) => (manifest as Manifest).features.slash_commands.map((c) => c.command);

describe('Slack command names', () => {
  it('never gives a command a short name Slack keeps for itself; the app command reaches it instead', () => {
    assert.equal(slackShortCommand('join', DEFAULT_SLACK_COMMANDS), undefined);
    assert.equal(slackShortCommand('next-module', DEFAULT_SLACK_COMMANDS), '/next-module');
    const form = slackCommandForm(DEFAULT_SLACK_COMMANDS);
    assert.equal(form('join'), '/cohort-bot join');
    assert.equal(form('progress'), '/progress');
  });

  it('with a prefix every command has a short name, built-in or not', () => {
    const prefixed = { appCommand: '/cohort-bot', prefix: 'rust-' };
    assert.equal(slackShortCommand('join', prefixed), '/rust-join');
    assert.equal(slackCommandForm(prefixed)('next-module'), '/rust-next-module');
  });

  it('reads the command and its text from the app command, a prefixed command and a plain one', () => {
    const prefixed = { appCommand: '/cohort-bot', prefix: 'rust-' };
    assert.deepEqual(slackTarget('/cohort-bot', 'cohort create name="Winter 2026"', DEFAULT_SLACK_COMMANDS), { command: 'cohort', text: 'create name="Winter 2026"' });
    assert.deepEqual(slackTarget('/cohort-bot', '  /Join ', DEFAULT_SLACK_COMMANDS), { command: 'join', text: '' });
    assert.deepEqual(slackTarget('/cohort-bot', '', DEFAULT_SLACK_COMMANDS), { command: 'help', text: '' });
    assert.deepEqual(slackTarget('/rust-module', 'redis', prefixed), { command: 'module', text: 'redis' });
    assert.deepEqual(slackTarget('/module', 'redis', DEFAULT_SLACK_COMMANDS), { command: 'module', text: 'redis' });
  });

  it('refuses an app command that is a built-in or the short name of one of ours', () => {
    assert.equal(slackNamesProblem(DEFAULT_SLACK_COMMANDS, names), undefined);
    assert.match(slackNamesProblem({ appCommand: '/remind', prefix: '' }, names) ?? '', /built-in/);
    assert.match(slackNamesProblem({ appCommand: '/cohort', prefix: '' }, names) ?? '', /short command of \/cohort/);
    assert.equal(slackNamesProblem({ appCommand: '/cohort', prefix: 'rust-' }, names), undefined);
  });
});

describe('the Slack manifest', () => {
  it('lists the app command and every short command, and never one of Slack’s built-ins', () => {
    const manifest = slackManifest(commands, { names: DEFAULT_SLACK_COMMANDS });
    const slash = listed(manifest);
    assert.equal(slash[0], '/cohort-bot');
    for (const command of slash) assert.ok(!SLACK_BUILT_IN_COMMANDS.has(command.slice(1)), `${command} is a Slack built-in`);
    assert.ok(!slash.includes('/join'));
    // Every command is reachable: by its short name or through the app command.
    for (const name of names) assert.ok(slash.includes(`/${name}`) || SLACK_BUILT_IN_COMMANDS.has(name), name);
    assert.deepEqual(slash.slice(1).sort(), names.filter((n) => !SLACK_BUILT_IN_COMMANDS.has(n)).map((n) => `/${n}`).sort());
  });

  it('with a prefix, names every command with it', () => {
    const slash = listed(slackManifest(commands, { names: { appCommand: '/rust', prefix: 'rust-' } }));
    assert.deepEqual(slash, ['/rust', ...names.map((n) => `/rust-${n}`)]);
    for (const command of slash) assert.ok(!SLACK_BUILT_IN_COMMANDS.has(command.slice(1)));
  });

  it('turns the Home tab, its event and buttons on; Socket Mode without a public URL', () => {
    const manifest = slackManifest(commands, { names: DEFAULT_SLACK_COMMANDS }) as unknown as Manifest;
    assert.equal(manifest.features.app_home.home_tab_enabled, true);
    assert.deepEqual(manifest.settings.event_subscriptions, { bot_events: ['app_home_opened'] });
    assert.deepEqual(manifest.settings.interactivity, { is_enabled: true });
    assert.equal(manifest.settings.socket_mode_enabled, true);
    assert.ok(manifest.features.slash_commands.every((c) => c.url === undefined));
  });

  it('in HTTP mode sends commands, clicks and events to PUBLIC_URL/slack/events, with Socket Mode off', () => {
    const manifest = slackManifest(commands, { names: DEFAULT_SLACK_COMMANDS, publicUrl: 'https://example.org/cohort' }) as unknown as Manifest;
    const url = 'https://example.org/cohort/slack/events';
    assert.equal(manifest.settings.socket_mode_enabled, false);
    assert.equal(manifest.settings.interactivity.request_url, url);
    assert.equal(manifest.settings.event_subscriptions.request_url, url);
    assert.ok(manifest.features.slash_commands.every((c) => c.url === url));
  });
});
