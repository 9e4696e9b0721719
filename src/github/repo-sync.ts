import type { SyncOptions, SyncReport } from '../core/github-port.ts';
import type { Learner } from '../core/cohort.ts';
import { failedRunsToName, matchRunId } from './failing-runs.ts';
import { fetchFailingTests, listCheckRunIds } from './failing-tests.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { fetchIsolated, mapLimit } from './batches.ts';
import { BudgetExhaustedError } from './rate-budget.ts';
import { fetchSnapshotRest } from './rest-snapshots.ts';
import { createReadOrder } from './read-order.ts';
import { createSnapshotRecorder, type NamedFailure, type RecorderDeps } from './snapshot-recorder.ts';
import type { GithubAccess, RepoClient } from './github-access.ts';
import { fetchHeads, fetchSnapshots, type Found, type HeadState, type RepoSnapshot } from './repo-queries.ts';

export interface SyncDeps extends RecorderDeps {
  logger: Logger;
  access: GithubAccess;
  /** Told when a sync stored messages in the outbox, so they go out at once. */
  onCelebrated(): void;
  headsBatch?: number;
  snapshotBatch?: number;
  concurrency?: number;
  /** Groups of at most this many repos (one per App installation, say) are read over conditional REST. */
  restGroupMax?: number;
}

export type { SyncOptions, SyncReport };

export interface RepoSync {
  sync(learners: readonly Learner[], options?: SyncOptions): Promise<SyncReport>;
}

/** Whether GitHub merely failed to answer (worth trying again soon), rather than refusing or missing the repo. */
function isTransient(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  if (status === 401 || status === 404 || status === 410 || status === 422) return false;
  const message = error instanceof Error ? error.message : '';
  return !(status === 403 && !/rate limit/i.test(message));
}

function reasonFor(error: unknown, repo: string): string {
  const status = (error as { status?: number }).status;
  if (error instanceof BudgetExhaustedError) {
    return `The bot has used its GitHub allowance for this hour; ${repo} is read again after ${error.resetAt.toISOString().slice(11, 16)} UTC.`;
  }
  if (error instanceof Error && error.name === 'TimeoutError') return `GitHub took too long to answer for ${repo}; the next sync tries again.`;
  if (status === 401) return `GitHub refused the bot's credentials while reading ${repo}; an organiser should check GITHUB_TOKEN or the GitHub App settings.`;
  // A 403 that is not a rate limit is a missing permission, e.g. a GitHub App without "Actions: read".
  const message = error instanceof Error ? error.message : '';
  if (status === 403 && !/rate limit/i.test(message)) {
    return `GitHub refused the bot access to part of ${repo} (${message.slice(0, 120) || 'HTTP 403'}); an organiser should check the GitHub App's permissions (Checks, Contents, Metadata and Actions: read).`;
  }
  if (status === 403 || status === 429) return `GitHub's rate limit stopped the sync of ${repo}; the next sync tries again.`;
  return `GitHub could not answer for ${repo}${status ? ` (HTTP ${status})` : ''}; the next sync tries again.`;
}

/**
 * Brings learners' results up to date with their repos, frugally: one GraphQL query tells the heads of up to
 * 100 repos for 1 point; only repos whose head or check rollup changed are read in full (check runs and the
 * blob SHAs of the guarded files), 50 to a query. A client that reaches only a repo or two reads them with
 * conditional REST instead, free while unchanged. What is read is recorded batch by batch (snapshot-recorder).
 */
export function createRepoSync(deps: SyncDeps): RepoSync {
  const { store, logger } = deps;
  const folders = [...new Set(deps.guardedFiles.map((f) => f.path.split('/').slice(0, -1).join('/')))];
  const sizes = { heads: deps.headsBatch ?? 100, snapshots: deps.snapshotBatch ?? 50, concurrency: deps.concurrency ?? 4, restGroupMax: deps.restGroupMax ?? 2 };

  const apply = createSnapshotRecorder(deps);
  const order = createReadOrder();

  const syncGroup = async (client: RepoClient, byRepo: Map<string, Learner[]>, options: SyncOptions, report: SyncReport, outbox: { enqueued: number }) => {
    const query = { wait: options.wait ?? true };
    const fail = (repo: string, reason: string, transient: boolean) => {
      for (const learner of byRepo.get(repo) ?? []) {
        store.syncState.failed(learner.id, reason);
        report.failures.push({ learnerId: learner.id, reason, transient });
      }
    };
    const onError = (repo: string, error: unknown) => {
      logger.warn({ err: error, repo }, 'GitHub sync of a repo failed');
      fail(repo, reasonFor(error, repo), isTransient(error));
    };
    const unreadable = (repo: string, found: Found<unknown>) =>
      fail(repo, found.kind === 'missing' ? `I cannot see ${repo} on GitHub: was it renamed, deleted or made private?` : `${repo} has no commits on its default branch yet.`, false);
    /** Names the failing tests of runs that just failed, by exercise; a failure to read them costs only the names. */
    const nameFailingTests = async (repo: string, snapshot: RepoSnapshot, learners: readonly Learner[]) => {
      const named = new Map<string, NamedFailure>();
      const now = deps.clock.now();
      const failed = failedRunsToName(store, deps.course, learners, snapshot, now);
      try {
        const listed = failed.some((f) => f.run.id === undefined) ? await listCheckRunIds(client, store, repo, snapshot.oid, now, query) : [];
        for (const { exercise, run } of failed) {
          const runId = run.id ?? matchRunId(run, listed);
          if (runId !== undefined) named.set(exercise.id, { runId, tests: await fetchFailingTests(client, store, repo, runId, now, query) });
        }
      } catch (error) {
        logger.warn({ err: error, repo }, 'could not read the failing tests of a check run');
      }
      return named;
    };
    const record = async (repo: string, snapshot: RepoSnapshot, ticket: number) => {
      const learners = byRepo.get(repo) ?? [];
      const failing = await nameFailingTests(repo, snapshot, learners);
      if (!order.mayRecord(repo, ticket)) {
        logger.debug({ repo }, 'a newer read of this repo was recorded meanwhile; this one is dropped');
        return;
      }
      report.looked += learners.length;
      const applied = apply(learners, snapshot, failing);
      report.newPasses += applied.passes;
      outbox.enqueued += applied.messages;
    };

    /** `rollups`: what GraphQL said of repos it could not read in full, kept so the next poll compares like with like. */
    const readOverRest = (repos: readonly string[], rollups?: ReadonlyMap<string, string | null>) =>
      mapLimit(repos, sizes.concurrency, async (repo) => {
        let snapshot: Found<RepoSnapshot>;
        const ticket = order.begin();
        try {
          snapshot = (await fetchSnapshotRest(client, store, repo, folders, deps.clock.now(), query)).found;
        } catch (error) {
          return onError(repo, error);
        }
        if (snapshot.kind !== 'ok') return unreadable(repo, snapshot);
        if (rollups?.has(repo)) snapshot.value.rollup = rollups.get(repo) ?? null;
        const learners = byRepo.get(repo) ?? [];
        if (!rollups && !options.force && learners.every((l) => !changed(store.syncState.get(l.id), snapshot.value))) {
          report.unchanged += learners.length;
          return;
        }
        await record(repo, snapshot.value, ticket);
      });

    // A GraphQL query costs at least a point; for a repo or two, conditional REST costs nothing while unchanged.
    if (byRepo.size <= sizes.restGroupMax) {
      await readOverRest([...byRepo.keys()]);
      return;
    }
    let toRead = [...byRepo.keys()];
    if (!options.force) {
      const heads = await fetchIsolated(toRead, { size: sizes.heads, concurrency: sizes.concurrency }, (batch) => fetchHeads(client, batch, query), onError);
      toRead = [];
      for (const [repo, head] of heads) {
        if (head.kind !== 'ok') unreadable(repo, head);
        else if ((byRepo.get(repo) ?? []).some((learner) => changed(store.syncState.get(learner.id), head.value))) toRead.push(repo);
        else report.unchanged += byRepo.get(repo)?.length ?? 0;
      }
    }
    const crowded = new Map<string, string | null>();
    await fetchIsolated(toRead, { size: sizes.snapshots, concurrency: sizes.concurrency }, async (batch) => {
      const ticket = order.begin();
      const found = await fetchSnapshots(client, batch, folders, query);
      // Applied batch by batch, so what is read is kept even if a later batch never finishes.
      await mapLimit([...found], sizes.concurrency, async ([repo, snapshot]) => {
        if (snapshot.kind !== 'ok') unreadable(repo, snapshot);
        else if (snapshot.value.incomplete) crowded.set(repo, snapshot.value.rollup);
        else await record(repo, snapshot.value, ticket);
      });
      return found;
    }, onError);
    // Many apps' check suites at one commit could hide the Actions suite from the query; REST lists every run.
    await readOverRest([...crowded.keys()], crowded);
  };

  return {
    async sync(learners, options = {}) {
      const report: SyncReport = { learners: 0, looked: 0, unchanged: 0, newPasses: 0, failures: [] };
      const groups = new Map<string, { client: RepoClient; byRepo: Map<string, Learner[]> }>();
      const linked = learners.filter((l): l is Learner & { githubRepo: string } => l.githubRepo !== null && l.githubVerifiedAt !== null);
      report.learners = linked.length;
      const fail = (learner: Learner, reason: string, transient: boolean) => {
        store.syncState.failed(learner.id, reason);
        report.failures.push({ learnerId: learner.id, reason, transient });
      };
      await mapLimit(linked, 8, async (learner) => {
        let client: RepoClient | undefined;
        try {
          client = await deps.access.forRepo(learner.githubRepo);
        } catch (error) {
          logger.warn({ err: error, repo: learner.githubRepo }, 'could not reach GitHub for a repo');
          return fail(learner, reasonFor(error, learner.githubRepo), isTransient(error));
        }
        if (!client) {
          return fail(learner, `The bot cannot read ${learner.githubRepo}: ${deps.access.mode === 'app' ? "install the course's GitHub App on it" : 'check that it is public'}.`, false);
        }
        const group = groups.get(client.key) ?? { client, byRepo: new Map<string, Learner[]>() };
        groups.set(client.key, group);
        const key = learner.githubRepo.toLowerCase();
        group.byRepo.set(key, [...(group.byRepo.get(key) ?? []), learner]);
      });
      const outbox = { enqueued: 0 };
      // With a GitHub App each installation is a group of its own: they are read side by side.
      await mapLimit([...groups.values()], sizes.concurrency, ({ client, byRepo }) => syncGroup(client, byRepo, options, report, outbox));
      if (outbox.enqueued > 0) deps.onCelebrated();
      logger.info({ ...report, failures: report.failures.length }, 'GitHub sync finished');
      return report;
    },
  };
}

function changed(state: { headSha: string | null; rollup: string | null; error: string | null } | undefined, head: HeadState): boolean {
  return !state || state.error !== null || state.headSha !== head.oid || state.rollup !== head.rollup;
}
