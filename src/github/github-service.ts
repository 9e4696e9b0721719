import type { Telemetry } from '../telemetry.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import type { Learner } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import type { GithubPort, SyncReport } from '../core/github-port.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { GithubClientTuning } from './client.ts';
import { createGithubAccess } from './github-access.ts';
import { createRepoFiles } from './repo-files.ts';
import { createRepoSync } from './repo-sync.ts';
import type { RecorderDeps } from './snapshot-recorder.ts';

export interface GithubServiceOptions extends Pick<RecorderDeps, 'guardedFiles' | 'celebrate' | 'notCounted' | 'onPassed'> {
  config: Config['github'];
  store: Store;
  course: Course;
  clock: Clock;
  logger: Logger;
  /** Told when a sync stored celebrations, so the outbox sends them at once. */
  onCelebrated(): void;
  /** Counts syncs and their failures, and what GitHub says is left of its rate limits. */
  telemetry?: Telemetry;
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
  /** Wrong credentials throw GithubSetupError naming the variable; GitHub unreachable is returned, for a warning. */
  checkCredentials(): Promise<Error | undefined>;
  /** A webhook's work was stored (see webhook-handler): it is done after a short gathering delay. */
  webhookAccepted(): void;
  /** Does the webhook work a stopped process left pending, then keeps doing what webhooks store. */
  start(): void;
  /** One poll of every linked learner in a running cohort: only changed repos are read in full. */
  pollOnce(): Promise<SyncReport>;
  /** Takes no new work and waits (at most `graceMs`) for running syncs, so none is cut off by the store closing. */
  stop(graceMs?: number): Promise<void>;
}

/** Cached answers unused this long (old commits' runs and trees) are dropped. */
const CACHE_KEPT_MS = 3 * 24 * 3600_000;
/** Delivery ids are kept to recognise redeliveries, which GitHub makes within days. */
const DELIVERIES_KEPT_MS = 14 * 24 * 3600_000;
/** After a webhook sync that failed as a whole (GitHub down), its work is tried again this much later. */
/** Webhook work GitHub failed to answer for is tried again after 2 s, then 4, 8… up to a minute, for an hour. */
const WEBHOOK_FIRST_RETRY_MS = 2_000;
const WEBHOOK_RETRY_MS = 60_000;
const WEBHOOK_RETRY_FOR_MS = 3_600_000;

/** GitHub for the rest of the bot: linking reads, syncs, webhook work and the polling schedule. */
export function createGithubService(options: GithubServiceOptions): GithubService | undefined {
  const { store, clock, config } = options;
  const logger = options.logger.child({ edge: 'github' });
  const access = createGithubAccess(config, {
    ...options.tuning,
    share: config.syncShare,
    logger,
    ...(options.telemetry ? { onRateLimit: options.telemetry.githubRateLimit } : {}),
  });
  if (!access) return undefined;
  const files = createRepoFiles(access, store);
  const repoSync = createRepoSync({ ...options, ...options.tuning, logger, access });
  const running = new Set<Promise<unknown>>();
  let stopping = false;
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    void work.then(
      () => running.delete(work),
      () => running.delete(work),
    );
    return work;
  };
  /** A sync, counted for operators by what started it. */
  const counted = async (trigger: string, learners: readonly Learner[], syncOptions?: Parameters<GithubPort['sync']>[1]): Promise<SyncReport> => {
    try {
      const report = await repoSync.sync(learners, syncOptions);
      options.telemetry?.sync({ trigger, learners: report.learners, failures: report.failures.length });
      return report;
    } catch (error) {
      options.telemetry?.sync({ trigger, learners: learners.length, failures: learners.length });
      throw error;
    }
  };
  const sync = (learners: readonly Learner[], syncOptions?: Parameters<GithubPort['sync']>[1]) => track(counted('command', learners, syncOptions));

  // One push finishes a job per exercise, each with its own webhook: what arrives within a short delay is read in
  // one sync, and deliveries naming the same repo cost one read, so a push costs one query, not one per job.
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  const scheduleFlush = (delayMs: number) => {
    if (stopping || flushTimer) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      if (flushing) return scheduleFlush(delayMs); // the next round picks up what came meanwhile
      flushing = track(flushWebhookWork()).finally(() => (flushing = undefined));
    }, delayMs);
  };
  const flushWebhookWork = async () => {
    const pending = store.githubDeliveries.pending();
    if (pending.length === 0) return;
    const repos = [...new Set(pending.map((p) => p.repo))];
    const learners = repos.flatMap((repo) => store.learners.findByRepo(repo));
    try {
      const report = learners.length > 0 ? await counted('webhook', learners, { force: true }) : undefined;
      // A repo GitHub did not answer for keeps its deliveries pending, so a 502 cannot swallow a learner's pass
      // until the next poll; after WEBHOOK_RETRY_FOR_MS the poll is left to catch it.
      const byId = new Map(learners.map((l) => [l.id, l]));
      const unanswered = new Set(report?.failures.filter((f) => f.transient).map((f) => byId.get(f.learnerId)?.githubRepo?.toLowerCase()));
      const giveUpBefore = clock.now().getTime() - WEBHOOK_RETRY_FOR_MS;
      const finished = pending.filter((p) => !unanswered.has(p.repo) || p.receivedAt.getTime() < giveUpBefore);
      store.githubDeliveries.markProcessed(finished.map((p) => p.deliveryId), clock.now());
      if (finished.length < pending.length) retryFlush(`GitHub did not answer for ${pending.length - finished.length} webhook deliveries`);
      else webhookFailures = 0;
    } catch (error) {
      // The work stays pending: tried again soon, and at the next start if the process stops first.
      retryFlush('webhook sync failed', error);
    }
  };
  let webhookFailures = 0;
  const retryFlush = (why: string, error?: unknown) => {
    webhookFailures += 1;
    const delayMs = Math.min(WEBHOOK_RETRY_MS, WEBHOOK_FIRST_RETRY_MS * 2 ** (webhookFailures - 1));
    logger.warn({ ...(error ? { err: error } : {}), retryInMs: delayMs }, `${why}; tried again soon`);
    scheduleFlush(delayMs);
  };

  let polling: Promise<SyncReport> | undefined;
  const pollOnce = (): Promise<SyncReport> => {
    // A slow poll (waiting for a rate-limit reset) is not stacked on by the next tick.
    polling ??= track(
      (async () => {
        store.githubCache.prune(new Date(clock.now().getTime() - CACHE_KEPT_MS));
        store.githubDeliveries.prune(new Date(clock.now().getTime() - DELIVERIES_KEPT_MS));
        return counted('poll', store.learners.listLinkedInActiveCohorts());
      })(),
    ).finally(() => (polling = undefined));
    return polling;
  };

  return {
    checkCredentials: () => access.checkCredentials(),
    mode: access.mode,
    repo: (fullName, now) => files.repo(fullName, now),
    file: (fullName, path, ref, now) => files.file(fullName, path, ref, now),
    sync,
    webhookAccepted: () => scheduleFlush(options.tuning?.webhookDelayMs ?? 3000),
    start() {
      if (store.githubDeliveries.pending().length > 0) scheduleFlush(0);
    },
    pollOnce,
    async stop(graceMs = 10_000) {
      stopping = true;
      clearTimeout(flushTimer);
      flushTimer = undefined;
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled([...running]), late]);
      clearTimeout(timer);
      if (running.size > 0) logger.warn({ syncs: running.size }, 'stopping with a GitHub sync still running; what it read so far is kept');
    },
  };
}
