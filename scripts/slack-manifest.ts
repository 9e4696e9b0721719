import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { slackManifest } from '../src/adapters/slack/manifest.ts';
import { slackNamesProblem } from '../src/adapters/slack/slack-commands.ts';
import { loadCommands } from '../src/chat/load-commands.ts';
import { ConfigError, loadConfig, readEnvFile } from '../src/config.ts';

/**
 * `npm run slack:manifest [-- file]`: writes the Slack app manifest (default ./slack-app-manifest.json), named by
 * SLACK_COMMAND and SLACK_COMMAND_PREFIX. With PUBLIC_URL and no SLACK_APP_TOKEN it is for HTTP mode (request URLs at
 * PUBLIC_URL/slack/events); otherwise for Socket Mode, which needs no public address.
 */
const file = path.resolve(process.argv[2] ?? 'slack-app-manifest.json');
let config;
try {
  config = loadConfig({ ...readEnvFile('.env'), ...process.env });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`configuration error: ${error.message}`);
  process.exit(2);
}
const commands = await loadCommands();
const names = config.slackCommands;
const problem = slackNamesProblem(names, commands.map((c) => c.name));
if (problem) {
  console.error(`configuration error: SLACK_COMMAND: ${problem}.`);
  process.exit(2);
}
const httpMode = config.publicUrl !== undefined && !config.slack?.appToken;
const manifest = slackManifest(commands, { names, ...(httpMode ? { publicUrl: config.publicUrl } : {}) });
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
const listed = (manifest.features as { slash_commands: { command: string }[] }).slash_commands.map((c) => c.command);
console.log(`Wrote ${file} with ${listed.length} slash commands (${listed.join(' ')}).`);
console.log(httpMode ? `HTTP mode: Slack sends everything to ${config.publicUrl}/slack/events.` : 'Socket Mode: create an app-level token (connections:write) and set SLACK_APP_TOKEN.');
console.log('Slack: api.slack.com/apps → Create New App → From a manifest → paste it, then install it to your workspace.');
