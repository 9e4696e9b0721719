import { App, Octokit } from 'octokit';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createGithubClient, octokitOptions, watchRateLimit, type GithubClientTuning } from './client.ts';
import { RateBudget } from './rate-budget.ts';

/** A client allowed to read a repository, and the rate budget its requests spend from. */
export interface RepoClient {
  /** Repositories with the same key can share one GraphQL query. */
  key: string;
  octokit: Octokit;
  budget: RateBudget;
}

export interface GithubAccess {
  mode: 'token' | 'app';
  /** Undefined when the bot may not read it (with an App: not installed on that repository). */
  forRepo(fullName: string): Promise<RepoClient | undefined>;
}

export interface GithubAccessOptions extends GithubClientTuning {
  /** Share of each hour's rate limit syncing may spend. */
  share: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  onRateLimit?(resource: string, remaining: number): void;
}

/**
 * How the bot reaches GitHub: one personal token for every repository, or a GitHub App whose installation
 * (found per repository, cached) issues short-lived tokens; octokit's App support refreshes them.
 * Undefined when neither is configured.
 */
export function createGithubAccess(config: Config['github'], options: GithubAccessOptions): GithubAccess | undefined {
  const newBudget = () =>
    new RateBudget({ share: options.share, logger: options.logger, ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.onRateLimit ? { onObserved: options.onRateLimit } : {}) });
  if (config.appId && config.privateKey) return appAccess(config.appId, config.privateKey, config.apiUrl, options, newBudget);
  if (!config.token) return undefined;
  const budget = newBudget();
  const client: RepoClient = { key: 'token', budget, octokit: createGithubClient({ ...options, token: config.token, apiUrl: config.apiUrl, budget }) };
  return { mode: 'token', forRepo: async () => client };
}

function appAccess(appId: string, privateKey: string, apiUrl: string | undefined, options: GithubAccessOptions, newBudget: () => RateBudget): GithubAccess {
  const AppOctokit = Octokit.defaults(octokitOptions({ ...options, apiUrl }));
  const app = new App({ appId, privateKey, Octokit: AppOctokit });
  const installations = new Map<string, number | null>();
  const clients = new Map<number, Promise<RepoClient>>();

  const installationOf = async (fullName: string): Promise<number | null> => {
    const key = fullName.toLowerCase();
    const known = installations.get(key);
    if (known !== undefined) return known;
    const [owner = '', repo = ''] = fullName.split('/');
    try {
      const { data } = await app.octokit.request('GET /repos/{owner}/{repo}/installation', { owner, repo });
      installations.set(key, data.id);
      return data.id;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      // Not cached: the learner may install the app a minute later.
      return null;
    }
  };

  return {
    mode: 'app',
    async forRepo(fullName) {
      const id = await installationOf(fullName);
      if (id === null) return undefined;
      let client = clients.get(id);
      if (!client) {
        client = app.getInstallationOctokit(id).then((octokit) => {
          const budget = newBudget();
          return { key: `installation-${id}`, budget, octokit: watchRateLimit(octokit as Octokit, budget) };
        });
        client.catch(() => clients.delete(id));
        clients.set(id, client);
      }
      return client;
    },
  };
}
