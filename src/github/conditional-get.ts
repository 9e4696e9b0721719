import type { Octokit } from 'octokit';
import type { Store } from '../store/store.ts';

/**
 * A GET that sends the stored ETag: GitHub answers an unchanged resource with 304, which costs no rate limit,
 * and the stored body is used. `changed` tells the caller whether anything new arrived.
 */
export async function conditionalGet<T>(
  octokit: Octokit,
  store: Store,
  route: string,
  params: Record<string, string | number>,
  now: Date,
): Promise<{ data: T; changed: boolean }> {
  const key = `${route} ${JSON.stringify(params)}`;
  const cached = store.githubCache.get(key);
  try {
    const response = await octokit.request(route, { ...params, headers: cached ? { 'if-none-match': cached.etag } : {} });
    const etag = response.headers.etag;
    if (etag) store.githubCache.put(key, etag, response.data, now);
    return { data: response.data as T, changed: true };
  } catch (error) {
    if (cached && (error as { status?: number }).status === 304) return { data: cached.body as T, changed: false };
    throw error;
  }
}
