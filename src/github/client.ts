import { Octokit } from 'octokit';
import type { Logger } from '../logger.ts';
import type { RateBudget } from './rate-budget.ts';

export interface GithubClientTuning {
  /** Octokit's throttling plugin waits for rate-limit resets; tests may turn it off. */
  throttle?: boolean;
  retry?: boolean;
  /** The retry plugin waits (attempt² × this) between attempts; 1 s by default, shorter in tests. */
  retryBaseMs?: number;
  /** An answer slower than this is abandoned (and retried as a 5xx would be). */
  timeoutMs?: number;
}

export interface GithubClientOptions extends GithubClientTuning {
  /** A personal token; unset for an App's own Octokit, whose auth the App sets. */
  token?: string | undefined;
  /** GitHub Enterprise (`https://host/api/v3`) or a test fake; api.github.com when unset. */
  apiUrl: string | undefined;
  logger: Logger;
  /** Told the `x-ratelimit-*` headers of every answer. */
  budget?: RateBudget;
}

/**
 * The bot only reads, so GraphQL queries need not queue one per second behind octokit's write limiter (meant
 * for mutations); our own bounded concurrency and rate budget keep them polite.
 */
const readOnlyWriteGroup = {
  key: () => ({ schedule: <T>(_options: unknown, job: () => Promise<T> | T) => Promise.resolve(job()) }),
};

/** Octokit constructor options shared by token clients and GitHub App installations. */
export function octokitOptions(options: GithubClientOptions) {
  const logger = options.logger.child({ edge: 'github' });
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    ...(options.apiUrl ? { baseUrl: options.apiUrl.replace(/\/+$/, '') } : {}),
    log: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.info(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
    request: {
      fetch: (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    },
    throttle: {
      enabled: options.throttle ?? true,
      write: readOnlyWriteGroup,
      onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        logger.warn({ retryAfter, url: request.url, retryCount }, 'GitHub rate limit reached: waiting for the reset');
        return retryCount < 3;
      },
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        logger.warn({ retryAfter, url: request.url, retryCount }, 'GitHub secondary rate limit: backing off');
        return retryCount < 3;
      },
    },
    // 403 and 429 are rate limits: the throttling plugin waits as long as GitHub's retry-after or reset says.
    retry: { enabled: options.retry ?? true, retryAfterBaseValue: options.retryBaseMs ?? 1000, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
  };
}

/** Feeds every answer's rate-limit headers, success or error, to the budget. */
export function watchRateLimit(octokit: Octokit, budget: RateBudget | undefined): Octokit {
  if (!budget) return octokit;
  octokit.hook.after('request', (response) => budget.observe(response.headers as Record<string, string>));
  octokit.hook.error('request', (error) => {
    budget.observe((error as { response?: { headers?: Record<string, string> } }).response?.headers);
    throw error;
  });
  return octokit;
}

/**
 * An Octokit for a personal token, with octokit's throttling (primary and secondary rate limits: wait for the
 * reset, up to three times) and retry (5xx, timeouts) plugins, and its log lines in our logger.
 */
export function createGithubClient(options: GithubClientOptions): Octokit {
  const octokit = new Octokit({ ...(options.token ? { auth: options.token } : {}), ...octokitOptions(options) });
  return watchRateLimit(octokit, options.budget);
}
