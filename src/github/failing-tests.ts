import { z } from 'zod';
import type { FailingTests } from '../core/cohort.ts';
import type { Store } from '../store/store.ts';
import { budgetedConditionalGet } from './conditional-get.ts';
import type { RepoClient } from './github-access.ts';
import type { QueryOptions } from './repo-queries.ts';

/** The annotation titles the course's check script (src/content/course-check.py) gives failing tests. */
export const FAILING_TEST_TITLE = 'Failing test';
const MORE_TITLE = 'More failing tests';

/**
 * A libtest name with its target (`lru::evicts_least_recent`): identifier characters and `::` only, so nothing in
 * a learner's repo can put a mention, a link or markup into the bot's messages through an annotation.
 */
const TEST_NAME = /^[\p{L}\p{N}_]+(?:::[\p{L}\p{N}_]+)*$/u;
const MAX_NAME = 200;

// GitHub's check-annotation, reduced to what is read; anything else about an annotation is ignored.
const Annotation = z.object({ annotation_level: z.string().nullable(), title: z.string().nullable(), message: z.string().nullable() });
const Annotations = z.array(z.unknown());

/** What a failed run's annotations say about its tests; annotations of any other shape are skipped. */
export function failingTestsFrom(body: unknown): FailingTests {
  const parsed = Annotations.safeParse(body);
  const names: string[] = [];
  let more = 0;
  for (const item of parsed.success ? parsed.data : []) {
    const annotation = Annotation.safeParse(item);
    if (!annotation.success || annotation.data.annotation_level !== 'failure') continue;
    const { title, message } = annotation.data;
    const text = (message ?? '').trim();
    if (title === FAILING_TEST_TITLE && text.length <= MAX_NAME && TEST_NAME.test(text) && !names.includes(text)) names.push(text);
    if (title === MORE_TITLE) more = Math.max(more, Number(/^and (\d{1,6}) more\b/.exec(text)?.[1] ?? 0));
  }
  return { names, more };
}

interface ListedRunsBody {
  check_runs: { id: number; name: string; completed_at: string | null; app: { slug: string } | null }[];
}

async function restGet<T>(client: RepoClient, store: Store, route: string, params: Record<string, string | number>, now: Date, options: QueryOptions, trim?: { as: string; keep: (data: T) => T }): Promise<T> {
  return (await budgetedConditionalGet<T>(client, store, route, params, now, options, trim)).data;
}

/** The check runs at a commit with their ids, for runs read over GraphQL (which cannot give an id: see CheckRunFacts.id). */
export async function listCheckRunIds(client: RepoClient, store: Store, fullName: string, sha: string, now: Date, options: QueryOptions) {
  const [owner = '', repo = ''] = fullName.split('/');
  const keep = (data: ListedRunsBody): ListedRunsBody => ({
    check_runs: data.check_runs.map(({ id, name, completed_at, app }) => ({ id, name, completed_at, app: app && { slug: app.slug } })),
  });
  const body = await restGet<ListedRunsBody>(client, store, 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { owner, repo, ref: sha, filter: 'all', per_page: 100 }, now, options, { as: 'ids', keep });
  return body.check_runs.map((run) => ({ id: run.id, name: run.name, completedAt: run.completed_at, appSlug: run.app?.slug ?? null }));
}

/**
 * The failing tests of one check run, from `GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations`, sent
 * with the stored ETag: a run's annotations never change once it completed, so asking again is a free 304.
 */
export async function fetchFailingTests(client: RepoClient, store: Store, fullName: string, runId: number, now: Date, options: QueryOptions): Promise<FailingTests> {
  const [owner = '', repo = ''] = fullName.split('/');
  const route = 'GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations';
  // The script writes at most 10 error annotations per step (GitHub keeps no more): one page holds them all.
  return failingTestsFrom(await restGet<unknown>(client, store, route, { owner, repo, check_run_id: runId, per_page: 50 }, now, options));
}
