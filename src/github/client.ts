import { Octokit } from 'octokit';
import type { Logger } from '../logger.ts';

export interface GithubClientOptions {
  token: string | undefined;
  /** GitHub Enterprise (`https://host/api/v3`) or a test fake; api.github.com when unset. */
  apiUrl: string | undefined;
  logger: Logger;
  /** Octokit's throttling and retry plugins wait seconds between attempts; tests turn them off or shrink them. */
  throttle?: boolean;
  retry?: boolean;
}

/**
 * An Octokit for a personal token, with octokit's throttling (primary and secondary rate limits: wait for the
 * reset, up to three times) and retry (5xx) plugins, and its log lines in our logger.
 */
export function createGithubClient(options: GithubClientOptions): Octokit {
  const logger = options.logger.child({ edge: 'github' });
  return new Octokit({
    ...(options.token ? { auth: options.token } : {}),
    ...(options.apiUrl ? { baseUrl: options.apiUrl.replace(/\/+$/, '') } : {}),
    log: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.info(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
    throttle: {
      enabled: options.throttle ?? true,
      onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        logger.warn({ retryAfter, url: request.url, retryCount }, 'GitHub rate limit reached: waiting for the reset');
        return retryCount < 3;
      },
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        logger.warn({ retryAfter, url: request.url, retryCount }, 'GitHub secondary rate limit: backing off');
        return retryCount < 3;
      },
    },
    retry: { enabled: options.retry ?? true },
  });
}
