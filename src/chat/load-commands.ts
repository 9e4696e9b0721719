import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCommand, type Command } from './define-command.ts';

export const DEFAULT_COMMANDS_DIR = path.resolve(import.meta.dirname, '../../commands');

/** Every `commands/*.ts` file's default export: adding a command is adding one file. */
export async function loadCommands(dir: string = DEFAULT_COMMANDS_DIR): Promise<Command[]> {
  const files = readdirSync(dir)
    .filter((file) => /^[a-z0-9-]+\.ts$/.test(file))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const loaded: { default?: unknown } = await import(pathToFileURL(path.join(dir, file)).href);
      if (!isCommand(loaded.default)) {
        throw new Error(`commands/${file} must \`export default defineCommand({...})\``);
      }
      return loaded.default;
    }),
  );
}
