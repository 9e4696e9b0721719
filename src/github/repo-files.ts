import type { Store } from '../store/store.ts';
import { conditionalGet } from './conditional-get.ts';
import type { GithubAccess } from './github-access.ts';

import type { RepoInfo } from '../core/github-port.ts';

export type { RepoInfo };

/**
 * The REST reads that linking needs, as conditional requests: asking again about an unchanged repo or file is
 * answered 304 and spends no rate limit. Undefined when the repo does not exist or the bot may not read it.
 */
export function createRepoFiles(access: GithubAccess, store: Store) {
  const get = async <T>(fullName: string, route: string, params: Record<string, string>, now: Date): Promise<T | undefined> => {
    const client = await access.forRepo(fullName);
    if (!client) return undefined;
    try {
      return (await conditionalGet<T>(client.octokit, store, route, params, now)).data;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  };
  return {
    async repo(fullName: string, now: Date): Promise<RepoInfo | undefined> {
      const [owner = '', repo = ''] = fullName.split('/');
      const data = await get<{ full_name: string; owner: { login: string }; default_branch: string; description: string | null }>(
        fullName, 'GET /repos/{owner}/{repo}', { owner, repo }, now,
      );
      return data && { fullName: data.full_name, ownerLogin: data.owner.login, defaultBranch: data.default_branch, description: data.description };
    },
    /** A text file at the head of `ref`. */
    async file(fullName: string, path: string, ref: string, now: Date): Promise<string | undefined> {
      const [owner = '', repo = ''] = fullName.split('/');
      const data = await get<{ type: string; encoding?: string; content?: string }>(fullName, 'GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref }, now);
      if (data?.type !== 'file' || data.content === undefined) return undefined;
      return data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content;
    },
  };
}

export type RepoFiles = ReturnType<typeof createRepoFiles>;
