import type { Octokit } from 'octokit';
import type { Store } from '../store/store.ts';
import type { RepoClient } from './github-access.ts';
import type { QueryOptions } from './repo-queries.ts';

/**
 * A GET that sends the stored ETag: GitHub answers an unchanged resource with 304, which costs no rate limit,
 * and the stored body is used. `changed` tells the caller whether anything new arrived. `trim` keeps part of the
 * body (a commit's whole tree is large; the tamper check needs a few folders of it), stored under its own name.
 */
export async function conditionalGet<T>(
  octokit: Octokit,
  store: Store,
  route: string,
  params: Record<string, string | number>,
  now: Date,
  trim?: { as: string; keep: (data: T) => T },
): Promise<{ data: T; changed: boolean }> {
  const key = `${route} ${JSON.stringify(params)}${trim ? ` as ${trim.as}` : ''}`;
  const cached = store.githubCache.get(key);
  try {
    const response = await octokit.request(route, { ...params, headers: cached ? { 'if-none-match': cached.etag } : {} });
    const data = trim ? trim.keep(response.data as T) : (response.data as T);
    const etag = response.headers.etag;
    if (etag) store.githubCache.put(key, etag, data, now);
    return { data, changed: true };
  } catch (error) {
    if (cached && (error as { status?: number }).status === 304) {
      store.githubCache.touch(key, now);
      return { data: cached.body as T, changed: false };
    }
    throw error;
  }
}

/**
 * A conditional GET for one repository's client, holding a point of its REST budget while it runs: a 304 is free,
 * but the point is held in case the answer is a 200.
 */
export async function budgetedConditionalGet<T>(
  client: Pick<RepoClient, 'octokit' | 'budget'>,
  store: Store,
  route: string,
  params: Record<string, string | number>,
  now: Date,
  options: QueryOptions,
  trim?: { as: string; keep: (data: T) => T },
): Promise<{ data: T; changed: boolean }> {
  await client.budget.reserve('core', 1, options);
  try {
    return await conditionalGet<T>(client.octokit, store, route, params, now, trim);
  } finally {
    client.budget.release('core', 1);
  }
}
