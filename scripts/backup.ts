import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DATABASE_PATH, readEnvFile } from '../src/config.ts';
import { openStore } from '../src/store/store.ts';

/**
 * `npm run backup -- <file>`: an online, consistent copy of the bot's database (SQLite's backup API through
 * better-sqlite3), safe while the bot runs: it copies pages in steps and restarts a step a writer touched.
 * Restore by stopping the bot and putting the copy at DATABASE_PATH (see README "Operating it").
 */
const target = process.argv[2];
const source = process.env.DATABASE_PATH ?? readEnvFile('.env').DATABASE_PATH ?? DEFAULT_DATABASE_PATH;
if (!target) {
  console.error('usage: npm run backup -- <file>   (copies DATABASE_PATH, now ' + source + ')');
  process.exit(2);
}
if (existsSync(target)) {
  console.error(`backup: ${target} exists; choose a new file, so no backup is overwritten by mistake`);
  process.exit(2);
}
if (!existsSync(source)) {
  console.error(`backup: there is no database at ${source} (DATABASE_PATH)`);
  process.exit(2);
}
const store = openStore(source);
try {
  await store.backup(path.resolve(target));
  console.log(`backup: ${source} copied to ${target}`);
} finally {
  store.close();
}
