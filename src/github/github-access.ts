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
  /**
   * One cheap authenticated call (`GET /rate_limit` with a token, `GET /app` as the App), so wrong credentials are
   * found at start: a GithubSetupError names the variable; other failures (GitHub unreachable) are returned.
   */
  checkCredentials(): Promise<Error | undefined>;
}

/** GitHub refused the configured credentials: `variable` is the one to fix. */
export class GithubSetupError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'GithubSetupError';
  }
}

/** A 401 is the credentials; anything else (network, 5xx) is GitHub's or the network's, returned for a warning. */
async function probe(call: () => Promise<unknown>, variable: string, refusal: string): Promise<Error | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    if ((error as { status?: number }).status === 401) throw new GithubSetupError(variable, refusal);
    return error instanceof Error ? error : new Error(String(error));
  }
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
  return {
    mode: 'token',
    forRepo: async () => client,
    checkCredentials: () => probe(() => client.octokit.request('GET /rate_limit'), 'GITHUB_TOKEN', 'GitHub refused GITHUB_TOKEN (401 Bad credentials): it is wrong, expired or revoked; make a new one.'),
  };
}

function appAccess(appId: string, privateKey: string, apiUrl: string | undefined, options: GithubAccessOptions, newBudget: () => RateBudget): GithubAccess {
  const AppOctokit = Octokit.defaults(octokitOptions({ ...options, apiUrl }));
  let app: App;
  try {
    app = new App({ appId, privateKey, Octokit: AppOctokit });
  } catch (error) {
    throw new GithubSetupError('GITHUB_PRIVATE_KEY', `GITHUB_PRIVATE_KEY is not a private key the App can sign with (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): paste the whole .pem file GitHub gave you.`);
  }
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
    async checkCredentials() {
      // Signing the App's JWT fails before any request when the key's body is not a key.
      try {
        await app.octokit.auth({ type: 'app' });
      } catch (error) {
        throw new GithubSetupError('GITHUB_PRIVATE_KEY', `GITHUB_PRIVATE_KEY cannot sign the App's requests (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): paste the whole .pem file GitHub gave you.`);
      }
      return probe(
        () => app.octokit.request('GET /app'),
        'GITHUB_APP_ID',
        "GitHub refused the App (401): check that GITHUB_APP_ID is the App's id and GITHUB_PRIVATE_KEY a current key of that App.",
      );
    },
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
