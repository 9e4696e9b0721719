import { benchCommands } from './commands.ts';
import { benchGithubSync } from './github-sync.ts';
import { benchInteractions } from './interactions.ts';
import { benchPicture } from './picture.ts';
import { benchStoreWrites } from './store-writes.ts';

/** `npm run bench`: figures, each against a baseline measured in the same run; nothing here passes or fails. */
process.stdout.write(`cohort-bot benchmarks — Node ${process.version}, ${new Date().toISOString()}\n`);
await benchCommands();
await benchInteractions();
await benchStoreWrites();
await benchGithubSync();
await benchPicture();
