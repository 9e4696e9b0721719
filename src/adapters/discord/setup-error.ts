import { DiscordAPIError } from 'discord.js';

/** A Discord setup problem the operator fixes in the developer portal or .env; shown as one line, exit code 2. */
export class DiscordSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscordSetupError';
  }
}

/** Known login and registration failures turned into what to do; undefined when the failure is not a known one. */
export function explainDiscordError(error: unknown): DiscordSetupError | undefined {
  const code = (error as { code?: unknown })?.code;
  if (code === 'TokenInvalid' || (error instanceof DiscordAPIError && error.status === 401)) {
    return new DiscordSetupError(
      'Discord refused DISCORD_TOKEN: copy the bot token again from the developer portal (your app → Bot → Reset Token) into .env.',
    );
  }
  if (code === 'DisallowedIntents') {
    return new DiscordSetupError('Discord refused the gateway intents the bot asked for (Guilds): check the Bot page of your app in the developer portal.');
  }
  if (error instanceof DiscordAPIError && error.status === 404 && /applications\//.test(error.url)) {
    return new DiscordSetupError('Discord does not know DISCORD_APPLICATION_ID: copy the Application ID from General Information in the developer portal.');
  }
  if (error instanceof DiscordAPIError && error.status === 403 && /guilds\//.test(error.url)) {
    return new DiscordSetupError(
      'The bot may not add commands to DISCORD_GUILD_ID: invite it there with the URL from `npm run discord:invite`, or fix the server id.',
    );
  }
  return undefined;
}
