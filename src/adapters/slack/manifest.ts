import type { Command } from '../../chat/define-command.ts';
import { usageOf } from '../../chat/define-command.ts';
import { slackShortCommand, type SlackCommandNames } from './slack-commands.ts';

/**
 * The bot scopes the Slack adapter needs: slash commands, posting (also in public channels it has not joined), admin
 * lookup, and reading back its own recent posts (channel, private channel and direct message history, opening the
 * direct message) so a message whose first attempt was cut short is not posted twice, and uploading the files a
 * reply carries (files:write: files.getUploadURLExternal and files.completeUploadExternal). The Home tab
 * (views.publish, app_home_opened) needs no scope of its own.
 */
export const SLACK_BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'users:read', 'channels:history', 'groups:history', 'im:history', 'im:write', 'files:write'] as const;

/** Where Slack sends slash commands, button clicks and events in HTTP mode (the adapter's receiver listens there). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackManifestOptions {
  names: SlackCommandNames;
  /** Set for HTTP mode: every request URL is `publicUrl/slack/events` and Socket Mode is off. */
  publicUrl?: string;
  appName?: string;
}

/**
 * A Slack app manifest for "Create app from manifest": the app command first (every command works through it),
 * then each command's short form unless Slack keeps the name for itself (`/join`), with escaped channel and user
 * mentions, which the options parse; the Home tab with its event; buttons (interactivity); the bot scopes.
 */
export function slackManifest(commands: readonly Command[], options: SlackManifestOptions): Record<string, unknown> {
  const { names, publicUrl } = options;
  const name = options.appName ?? 'cohort-bot';
  const url = publicUrl ? { url: `${publicUrl}${SLACK_EVENTS_PATH}` } : {};
  const shortCommands = commands.flatMap((command) => {
    const short = slackShortCommand(command.name, names);
    if (!short) return [];
    return [{ command: short, ...url, description: command.description.slice(0, 100), usage_hint: usageOf(command).replace(/^\/\S+\s?/, '').slice(0, 100), should_escape: true }];
  });
  const appCommand = {
    command: names.appCommand,
    ...url,
    description: `Every ${name} command, e.g. ${names.appCommand} next-module; alone, the help`.slice(0, 100),
    usage_hint: '[command] [options]',
    should_escape: true,
  };
  return {
    display_information: {
      name,
      description: 'Runs a study cohort through the Rust Systems Engineering course.',
      background_color: '#2c2d30',
    },
    features: {
      // The Home tab shows each learner their next step; direct messages (why a pass did not count) arrive in the
      // Messages tab, where the bot does not read replies.
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: true },
      bot_user: { display_name: name, always_online: true },
      slash_commands: [appCommand, ...shortCommands],
    },
    oauth_config: { scopes: { bot: [...SLACK_BOT_SCOPES] } },
    settings: {
      event_subscriptions: { ...(publicUrl ? { request_url: `${publicUrl}${SLACK_EVENTS_PATH}` } : {}), bot_events: ['app_home_opened'] },
      interactivity: { is_enabled: true, ...(publicUrl ? { request_url: `${publicUrl}${SLACK_EVENTS_PATH}` } : {}) },
      socket_mode_enabled: !publicUrl,
      org_deploy_enabled: false,
      token_rotation_enabled: false,
      is_hosted: false,
    },
  };
}
