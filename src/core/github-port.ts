import type { Learner } from './cohort.ts';

/** What the rest of the bot may ask of GitHub, whatever the client behind it; src/github implements it. */

export interface RepoInfo {
  fullName: string;
  ownerLogin: string;
  defaultBranch: string;
  description: string | null;
}

export interface SyncOptions {
  /** Read every repo in full, not only those whose head or check rollup changed. */
  force?: boolean;
  /** false: when the rate budget is spent, fail those repos at once instead of waiting for the reset. */
  wait?: boolean;
}

export interface SyncReport {
  learners: number;
  /** Learners whose repo was read in full (changed, or forced). */
  looked: number;
  unchanged: number;
  newPasses: number;
  /**
   * Learners whose repo could not be read this time, with the reason; `transient` when GitHub did not answer
   * (5xx, timeout, rate limit, network) and trying again soon can succeed, unlike a missing repo or permission.
   */
  failures: { learnerId: number; reason: string; transient: boolean }[];
}

export interface GithubPort {
  mode: 'token' | 'app';
  repo(fullName: string, now: Date): Promise<RepoInfo | undefined>;
  file(fullName: string, path: string, ref: string, now: Date): Promise<string | undefined>;
  sync(learners: readonly Learner[], options?: SyncOptions): Promise<SyncReport>;
}
