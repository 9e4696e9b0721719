import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { slackManifest } from '../src/adapters/slack/manifest.ts';
import { loadCommands } from '../src/chat/load-commands.ts';

/** `npm run slack:manifest [-- file]`: writes the Slack app manifest (default ./slack-app-manifest.json). */
const file = path.resolve(process.argv[2] ?? 'slack-app-manifest.json');
const commands = await loadCommands();
writeFileSync(file, `${JSON.stringify(slackManifest(commands), null, 2)}\n`);
console.log(`Wrote ${file} with ${commands.length} slash commands (${commands.map((c) => `/${c.name}`).join(' ')}).`);
console.log('Slack: api.slack.com/apps → Create New App → From a manifest → paste it, then install it to your workspace.');
