import type { Readable, Writable } from 'node:stream';
import { createConsoleAdapter } from './adapters/console/console-adapter.ts';
import { renderText } from './adapters/console/render-text.ts';
import { createDiscordAdapter, type DiscordAdapter } from './adapters/discord/discord-adapter.ts';
import { createSlackAdapter, type SlackAdapter } from './adapters/slack/slack-adapter.ts';
import { createContentHighlighter, mountSite } from './adapters/web/site-routes.ts';
import { createMetrics } from './adapters/web/metrics.ts';
import { createWebServer, type WebServer } from './adapters/web/web-server.ts';
import type { Services } from './chat/context.ts';
import { loadCommands } from './chat/load-commands.ts';
import { createRegistry } from './chat/registry.ts';
import { replySchema } from './chat/reply-schema.ts';
import { celebrationReply } from './chat/views/celebration.ts';
import { scheduledMessages } from './chat/views/scheduled-messages.ts';
import { celebrationBurstReply } from './chat/views/celebration-burst.ts';
import { notCountedReply } from './chat/views/not-counted.ts';
import { isLocalMode, type Config } from './config.ts';
import { createContentLinks } from './content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from './content/load-course.ts';
import { officialFiles } from './content/starter-repo.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { completedExercises, type Platform } from './core/cohort.ts';
import type { Course } from './core/course.ts';
import { cohortWeek, totalWeeks } from './core/schedule.ts';
import { ensureDemoCohort, localUser, LOCAL_PLACE, machineTimezone } from './local-mode.ts';
import { createGithubService, type GithubServiceOptions } from './github/github-service.ts';
import { createGithubWebhookHandler } from './github/webhook-handler.ts';
import { createLogger } from './logger.ts';
import { createOutboxWorker, type Deliver } from './outbox/outbox-worker.ts';
import { scheduleGithubPolls } from './scheduler/github-poll-job.ts';
import { createScheduler } from './scheduler/scheduler.ts';
import { openStore, type Store } from './store/store.ts';

export interface AppIo {
  input: Readable;
  output: Writable;
  clock?: Clock;
  contentDir?: string;
  /** Tests shorten Discord's deferral threshold to exercise that path. */
  discordDeferAfterMs?: number;
  /** Tests bind the HTTP server to loopback; operators get all interfaces. */
  httpHost?: string;
  /** Tests shorten GitHub retries and timeouts. */
  githubTuning?: GithubServiceOptions['tuning'];
}

export interface App {
  /** Resolves once the app has stopped (input closed in local mode, or `stop()`), with everything closed. */
  done: Promise<void>;
  stop(): void;
  /** The port the HTTP server listens on, when one was needed (PUBLIC_URL, Slack in HTTP mode, GitHub webhooks). */
  httpPort: number | undefined;
}

/** What GitHub's sync tells people and guards, given by the composition root so src/github knows no chat views. */
export function githubWiring(course: Course, contentDir: string, store: Store): Pick<GithubServiceOptions, 'guardedFiles' | 'celebrate' | 'notCounted'> {
  return {
    guardedFiles: officialFiles(course, contentDir),
    celebrate: (learner, exercises, firstLook) =>
      celebrationReply(course, learner, exercises, completedExercises(store.results.listForLearner(learner.id)).size, firstLook),
    notCounted: notCountedReply,
  };
}

/** The composition root: wires the rooms together and starts what the config asks for. */
export async function startApp(config: Config, io: AppIo): Promise<App> {
  const local = isLocalMode(config);
  const logger = createLogger(config.logLevel ?? (local ? 'warn' : 'info'));
  const contentDir = io.contentDir ?? DEFAULT_CONTENT_DIR;
  const course = loadCourse(contentDir);
  const registry = createRegistry(await loadCommands());
  const store = openStore(config.databasePath);
  const metrics = createMetrics(store);
  const clock = io.clock ?? systemClock;
  const deliverers: Partial<Record<Platform, Deliver>> = {};
  const outbox = createOutboxWorker({
    store,
    clock,
    logger,
    deliverers,
    leaseMs: config.outboxLeaseMs,
    batching: { kinds: ['celebration'], combine: (_kind, payloads) => celebrationBurstReply(payloads) },
    telemetry: metrics.telemetry,
  });
  let slack: SlackAdapter | undefined;
  const github = createGithubService({
    config: config.github,
    store,
    course,
    clock,
    logger,
    ...githubWiring(course, contentDir, store),
    onCelebrated: () => outbox.wake(),
    telemetry: metrics.telemetry,
    // The Slack adapter starts later; a pass before then has no Home tab to refresh.
    onPassed: (learner) => slack?.passesRecorded([learner]),
    tuning: { webhookDelayMs: config.github.webhookGatherMs, ...io.githubTuning },
  });
  const services: Services = { store, course, clock, logger, links: createContentLinks(contentDir, config), outbox, telemetry: metrics.telemetry, ...(github ? { github } : {}) };

  const scheduler = createScheduler({
    store,
    course,
    clock,
    logger,
    ...scheduledMessages(course, services.links),
    onPosted: () => outbox.wake(),
  });
  let discord: DiscordAdapter | undefined;
  let web: WebServer | undefined;
  let httpPort: number | undefined;
  let stopLocal: (() => void) | undefined;
  let stopped: () => void = () => {};
  let running: Promise<void> = new Promise<void>((resolve) => (stopped = resolve));

  try {
    const unreachable = await github?.checkCredentials();
    if (unreachable) logger.warn({ err: unreachable }, 'could not reach GitHub to check its credentials; the bot starts and syncs try again');
    if (config.discord) {
      discord = createDiscordAdapter({ config: config.discord, registry, services, logger, deferAfterMs: io.discordDeferAfterMs });
      await discord.start();
      deliverers.discord = discord.deliver;
    }
    web = createWebServer(logger);
    // With a public address the bot serves the course and published boards, whatever else needs HTTP.
    let needsHttp = config.publicUrl !== undefined || config.portSet === true;
    if (config.publicUrl !== undefined) {
      mountSite(web, { course, contentDir, store, clock, logger, highlighter: await createContentHighlighter(course, contentDir) });
    }
    if (config.slack) {
      slack = createSlackAdapter({ config: { ...config.slack, commandNames: config.slackCommands }, registry, services, logger, web });
      await slack.start();
      deliverers.slack = slack.deliver;
      // Socket Mode needs no inbound HTTP; HTTP mode receives slash commands on PORT.
      needsHttp ||= !config.slack.appToken;
    }
    if (github && config.github.webhookSecret) {
      web.route('/github/webhook', createGithubWebhookHandler({ secret: config.github.webhookSecret, store, clock, logger, telemetry: metrics.telemetry, onAccepted: () => github.webhookAccepted() }));
      needsHttp = true;
    } else if (config.github.webhookSecret) {
      logger.warn('GITHUB_WEBHOOK_SECRET is set but no GitHub token or App is: webhooks are not received');
    }
    web.route('/metrics', metrics.handler(config.metricsToken));
    web.readiness(() => [store.problem(), discord?.problem(), slack?.problem()].filter((p): p is string => p !== undefined));
    if (needsHttp) httpPort = await web.start(config.port, io.httpHost);
    if (local) {
      const { cohort, created } = ensureDemoCohort(store, clock.now(), machineTimezone());
      const week = cohortWeek(cohort, clock.now());
      // Channel posts in local mode are printed, so an organiser can try /cohort post-now.
      deliverers.console = async ({ payload, recipientUserId }) => {
        const where = recipientUserId ? 'sent to you privately' : `posted to ${cohort.name}`;
        io.output.write(`\n[${where}]\n${renderText(replySchema.parse(payload))}\n\n`);
        return undefined;
      };
      // This week's post, if not shown before, is printed ahead of the prompt rather than in the middle of it.
      scheduler.tick();
      await outbox.drain();
      const adapter = createConsoleAdapter({
        registry,
        services,
        input: io.input,
        output: io.output,
        place: LOCAL_PLACE,
        user: { ...localUser(), isOrganiser: true },
        greeting: [
          `cohort-bot — local mode (no Discord or Slack token set). ${course.title}.`,
          `${created ? 'Created' : 'Using'} "${cohort.name}": ${week === 0 ? 'starts soon' : `week ${week} of ${totalWeeks(course)}`}, times in ${cohort.timezone}.`,
          'Type /help for the commands, /next-module for what to do now. Ctrl-D quits.',
          '',
        ].join('\n'),
      });
      running = adapter.run();
      stopLocal = () => adapter.stop();
    }
  } catch (error) {
    await discord?.stop();
    await slack?.stop();
    await web?.stop();
    store.close();
    throw error;
  }
  outbox.start();
  scheduler.start();
  github?.start();
  const polls = github && scheduleGithubPolls(() => github.pollOnce(), config.github.pollMinutes, logger);
  logger.info({ local, discord: Boolean(discord), slack: Boolean(slack), github: github?.mode ?? false, httpPort }, 'cohort-bot started');

  const done = running.finally(async () => {
    scheduler.stop();
    polls?.stop();
    await github?.stop();
    await discord?.stop();
    await slack?.stop();
    await web?.stop();
    await outbox.stop();
    store.close();
    logger.info('stopped');
  });
  return {
    done,
    httpPort,
    stop: () => {
      stopLocal?.();
      stopped();
    },
  };
}
