import { inviteUrl } from '../src/adapters/discord/invite-url.ts';
import { loadConfig, readEnvFile } from '../src/config.ts';
import { describeStartupError } from '../src/startup-error.ts';

/** `npm run discord:invite`: prints the URL that adds the bot to a server with exactly what it needs. */
try {
  const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
  const applicationId = config.discord?.applicationId ?? process.env.DISCORD_APPLICATION_ID;
  if (!applicationId) {
    process.stderr.write('cohort-bot: set DISCORD_APPLICATION_ID (General Information in the Discord developer portal) first.\n');
    process.exitCode = 2;
  } else {
    console.log(`Open this link to add cohort-bot to your server:\n\n  ${inviteUrl(applicationId)}\n`);
    console.log('Scopes: bot, applications.commands. Permissions: View Channel, Send Messages, Embed Links.');
  }
} catch (error) {
  process.stderr.write(`cohort-bot: ${describeStartupError(error) ?? String(error)}\n`);
  process.exitCode = 2;
}
