import type { Readable, Writable } from 'node:stream';
import { createConsoleAdapter, type ConsoleAdapter } from './adapters/console/console-adapter.ts';
import type { Services } from './chat/context.ts';
import { loadCommands } from './chat/load-commands.ts';
import { createRegistry } from './chat/registry.ts';
import { isLocalMode, type Config } from './config.ts';
import { createContentLinks } from './content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from './content/load-course.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { cohortWeek, totalWeeks } from './core/schedule.ts';
import { ensureDemoCohort, localUser, LOCAL_PLACE, machineTimezone } from './local-mode.ts';
import { createLogger } from './logger.ts';
import { openStore } from './store/store.ts';

export interface AppIo {
  input: Readable;
  output: Writable;
  clock?: Clock;
  contentDir?: string;
}

export interface App {
  /** Resolves once the app has stopped (input closed or `stop()`), with everything closed. */
  done: Promise<void>;
  stop(): void;
}

/** The composition root: wires the rooms together and starts what the config asks for. */
export async function startApp(config: Config, io: AppIo): Promise<App> {
  if (!isLocalMode(config)) {
    throw new PlatformNotReadyError();
  }
  const logger = createLogger(config.logLevel ?? 'warn');
  const contentDir = io.contentDir ?? DEFAULT_CONTENT_DIR;
  const course = loadCourse(contentDir);
  const registry = createRegistry(await loadCommands());
  const store = openStore(config.databasePath);
  const clock = io.clock ?? systemClock;
  const services: Services = { store, course, clock, logger, links: createContentLinks(contentDir, config.contentBaseUrl) };

  const { cohort, created } = ensureDemoCohort(store, clock.now(), machineTimezone());
  logger.info({ cohort: cohort.id, created }, 'local mode');
  const week = cohortWeek(cohort, clock.now());
  const adapter: ConsoleAdapter = createConsoleAdapter({
    registry,
    services,
    input: io.input,
    output: io.output,
    place: LOCAL_PLACE,
    user: localUser(),
    greeting: [
      `cohort-bot — local mode (no Discord or Slack token set). ${course.title}.`,
      `${created ? 'Created' : 'Using'} "${cohort.name}": ${week === 0 ? 'starts soon' : `week ${week} of ${totalWeeks(course)}`}, times in ${cohort.timezone}.`,
      'Type /help for the commands, /next-module for what to do now. Ctrl-D quits.',
      '',
    ].join('\n'),
  });

  const done = adapter.run().finally(() => {
    store.close();
    logger.info('stopped');
  });
  return { done, stop: () => adapter.stop() };
}

/** Discord and Slack adapters arrive in later versions; until then a token is a mistake worth naming. */
export class PlatformNotReadyError extends Error {
  constructor() {
    super('A Discord or Slack token is set, but this version of cohort-bot runs in local mode only: unset DISCORD_TOKEN and SLACK_BOT_TOKEN.');
    this.name = 'PlatformNotReadyError';
  }
}
