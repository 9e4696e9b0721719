import type { Command } from '../../chat/define-command.ts';
import { usageOf } from '../../chat/define-command.ts';

/**
 * The bot scopes the Slack adapter needs: slash commands, posting (also in public channels it has not joined), admin
 * lookup, and reading back its own recent posts (channel, private channel and direct message history, opening the
 * direct message) so a message whose first attempt was cut short is not posted twice.
 */
export const SLACK_BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'users:read', 'channels:history', 'groups:history', 'im:history', 'im:write'] as const;

/**
 * A Slack app manifest for "Create app from manifest": every registry command as a slash command (with escaped
 * channel and user mentions, which the options parse), the bot scopes, and Socket Mode on so no public URL is needed.
 */
export function slackManifest(commands: readonly Command[], name = 'cohort-bot'): Record<string, unknown> {
  return {
    display_information: {
      name,
      description: 'Runs a study cohort through the Rust Systems Engineering course.',
      background_color: '#2c2d30',
    },
    features: {
      // Direct messages (why a pass did not count) arrive in the app's Messages tab; the bot does not read replies.
      app_home: { home_tab_enabled: false, messages_tab_enabled: true, messages_tab_read_only_enabled: true },
      bot_user: { display_name: name, always_online: true },
      slash_commands: commands.map((command) => ({
        command: `/${command.name}`,
        description: command.description.slice(0, 100),
        usage_hint: usageOf(command).replace(/^\/\S+\s?/, '').slice(0, 100),
        should_escape: true,
      })),
    },
    oauth_config: { scopes: { bot: [...SLACK_BOT_SCOPES] } },
    settings: { socket_mode_enabled: true, org_deploy_enabled: false, token_rotation_enabled: false, is_hosted: false },
  };
}
