import { REST } from 'discord.js';
import { registerCommands } from '../src/adapters/discord/command-payloads.ts';
import { explainDiscordError } from '../src/adapters/discord/setup-error.ts';
import { loadCommands } from '../src/chat/load-commands.ts';
import { loadConfig, readEnvFile } from '../src/config.ts';
import { describeStartupError } from '../src/startup-error.ts';

/** `npm run discord:register`: registers the slash commands without starting the bot (start does it too). */
try {
  const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
  if (!config.discord) {
    process.stderr.write('cohort-bot: set DISCORD_TOKEN and DISCORD_APPLICATION_ID in .env first.\n');
    process.exitCode = 2;
  } else {
    const rest = new REST(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}).setToken(config.discord.token);
    const commands = await loadCommands();
    await registerCommands(rest, config.discord, commands);
    const scope = config.discord.guildId ? `server ${config.discord.guildId} (visible now)` : 'every server (global; may take up to an hour to show)';
    console.log(`Registered ${commands.length} commands for ${scope}: ${commands.map((c) => `/${c.name}`).join(' ')}`);
  }
} catch (error) {
  const known = explainDiscordError(error);
  process.stderr.write(`cohort-bot: ${known ? `Discord setup error: ${known.message}` : (describeStartupError(error) ?? String(error))}\n`);
  process.exitCode = 2;
}
