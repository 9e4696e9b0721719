import { DiscordAPIError } from 'discord.js';
import { networkErrorCode } from '../network-error.ts';

/** A Discord setup problem the operator fixes in the developer portal or .env; shown as one line, exit code 2. */
export class DiscordSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscordSetupError';
  }
}

/** The gateway closed for good before the bot was ready; `code` is Discord's close code. */
export class GatewayClosedError extends Error {
  constructor(readonly code: number) {
    super(`the Discord gateway closed with code ${code}`);
    this.name = 'GatewayClosedError';
  }
}

/** Known login and registration failures turned into what to do; undefined when the failure is not a known one. */
export function explainDiscordError(error: unknown): DiscordSetupError | undefined {
  const code = (error as { code?: unknown })?.code;
  const closeCode = error instanceof GatewayClosedError ? error.code : gatewayCloseCodeOf(error);
  if (code === 'TokenInvalid' || closeCode === 4004 || (error instanceof DiscordAPIError && error.status === 401)) {
    return new DiscordSetupError(
      'Discord refused DISCORD_TOKEN: copy the bot token again from the developer portal (your app → Bot → Reset Token) into .env.',
    );
  }
  if (code === 'DisallowedIntents' || closeCode === 4013 || closeCode === 4014) {
    return new DiscordSetupError(
      'Discord refused the gateway intents the bot asked for (Guilds only): check Privileged Gateway Intents on the Bot page of your app in the developer portal.',
    );
  }
  if (error instanceof DiscordAPIError && error.status === 404 && /applications\//.test(error.url)) {
    return new DiscordSetupError('Discord does not know DISCORD_APPLICATION_ID: copy the Application ID from General Information in the developer portal.');
  }
  if (error instanceof DiscordAPIError && error.status === 403 && /guilds\//.test(error.url)) {
    return new DiscordSetupError(
      'The bot may not add commands to DISCORD_GUILD_ID: invite it there with the URL from `npm run discord:invite`, or fix the server id.',
    );
  }
  const unreachable = networkErrorCode(error);
  if (unreachable) {
    return new DiscordSetupError(`could not reach Discord's API (${unreachable}): check this machine's network access to discord.com, and DISCORD_API_URL if you set it.`);
  }
  return undefined;
}

/** @discordjs/ws reports gateway close codes 4004 and 4014 as plain errors with these messages. */
function gatewayCloseCodeOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : '';
  if (message === 'Authentication failed') return 4004;
  if (message === 'Used disallowed intents') return 4014;
  return undefined;
}
