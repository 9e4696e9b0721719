import { VARIABLE_NAMES } from '../../src/config.ts';

/** This process's environment without any of the bot's variables, so a spawned `npm start` sees only what a test sets. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !(VARIABLE_NAMES as string[]).includes(name)));
}
