import type { GithubPort } from '../chat/context.ts';
import { celebrationReply } from '../chat/views/celebration.ts';
import { notCountedReply } from '../chat/views/not-counted.ts';
import type { Config } from '../config.ts';
import { officialFiles } from '../content/starter-repo.ts';
import type { Clock } from '../core/clock.ts';
import { completedExercises } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { GithubClientTuning } from './client.ts';
import { createGithubAccess } from './github-access.ts';
import { createRepoFiles } from './repo-files.ts';
import { createRepoSync, type SyncReport } from './repo-sync.ts';
import type { GithubEvent } from './webhook-handler.ts';
import { repoToSync } from './webhook-events.ts';

export interface GithubServiceOptions {
  config: Config['github'];
  store: Store;
  course: Course;
  contentDir: string;
  clock: Clock;
  logger: Logger;
  /** Told when a sync stored celebrations, so the outbox sends them at once. */
  onCelebrated(): void;
  tuning?: GithubClientTuning & {
    sleep?: (ms: number) => Promise<void>;
    headsBatch?: number;
    snapshotBatch?: number;
    concurrency?: number;
    restGroupMax?: number;
    /** How long webhooks for the same push are gathered before one sync reads them all. */
    webhookDelayMs?: number;
  };
}

export interface GithubService extends GithubPort {
  /** A verified webhook: queues a sync of the learners of the repository it names, if it can change their results. */
  handleEvent(event: GithubEvent): Promise<void>;
  /** One poll of every linked learner in a running cohort: only changed repos are read in full. */
  pollOnce(): Promise<SyncReport>;
  stop(): void;
}

/** Cached answers unused this long (old commits' runs and trees) are dropped. */
const CACHE_KEPT_MS = 3 * 24 * 3600_000;
/** Delivery ids are kept to recognise redeliveries, which GitHub makes within days. */
const DELIVERIES_KEPT_MS = 14 * 24 * 3600_000;

/** GitHub for the rest of the bot: linking reads, syncs, webhook events and the polling schedule. */
export function createGithubService(options: GithubServiceOptions): GithubService | undefined {
  const { store, course, clock, config } = options;
  const logger = options.logger.child({ edge: 'github' });
  const access = createGithubAccess(config, { ...options.tuning, share: config.syncShare, logger });
  if (!access) return undefined;
  const files = createRepoFiles(access, store);
  const repoSync = createRepoSync({
    store,
    course,
    clock,
    logger,
    access,
    guardedFiles: officialFiles(course, options.contentDir),
    celebrate: (learner, exercise) => celebrationReply(course, learner, exercise, completedExercises(store.results.listForLearner(learner.id)).size),
    notCounted: notCountedReply,
    onCelebrated: options.onCelebrated,
    ...options.tuning,
  });
  let polling: Promise<SyncReport> | undefined;
  // One push finishes a job per exercise, each with its own webhook: repos named within a short delay are read
  // together in one sync, so a push costs one query, not one per job.
  const pendingRepos = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushTimer = undefined;
    const learners = [...pendingRepos].flatMap((repo) => store.learners.findByRepo(repo));
    pendingRepos.clear();
    if (learners.length === 0) return;
    flushing = flushing
      .then(() => repoSync.sync(learners, { force: true }))
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error }, 'webhook sync failed'),
      );
  };

  const pollOnce = (): Promise<SyncReport> => {
    // A slow poll (waiting for a rate-limit reset) is not stacked on by the next tick.
    polling ??= (async () => {
      store.githubCache.prune(new Date(clock.now().getTime() - CACHE_KEPT_MS));
      store.githubDeliveries.prune(new Date(clock.now().getTime() - DELIVERIES_KEPT_MS));
      return repoSync.sync(store.learners.listLinkedInActiveCohorts());
    })().finally(() => (polling = undefined));
    return polling;
  };

  return {
    mode: access.mode,
    repo: (fullName, now) => files.repo(fullName, now),
    file: (fullName, path, ref, now) => files.file(fullName, path, ref, now),
    sync: (learners, syncOptions) => repoSync.sync(learners, syncOptions),
    async handleEvent(event) {
      const repo = repoToSync(event);
      if (!repo || store.learners.findByRepo(repo).length === 0) return;
      logger.debug({ event: event.name, repo }, 'webhook: sync queued');
      pendingRepos.add(repo.toLowerCase());
      flushTimer ??= setTimeout(flush, options.tuning?.webhookDelayMs ?? 3000);
    },
    pollOnce,
    stop() {
      clearTimeout(flushTimer);
    },
  };
}
