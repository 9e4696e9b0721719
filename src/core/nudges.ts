import type { FailingTests } from './cohort.ts';

/** Private nudges: a direct message to a learner who seems stuck or gone quiet, at most one a week. */

/** Days without a push or a pass, while work is open to them, before a learner is nudged. */
export const DEFAULT_INACTIVE_DAYS = 7;
/** Consecutive commits on which the same exercise failed its CI before the learner is nudged. */
export const DEFAULT_STUCK_COMMITS = 3;

export interface NudgeFacts {
  remindersOptOut: boolean;
  joinedAt: Date;
  /** When their repo's head last changed (a push), as the sync saw it; null if never synced. */
  lastPushAt: Date | null;
  lastPassAt: Date | null;
  /** A released exercise not yet passed that failed on this many commits in a row, if any, with its failing tests if known. */
  stuck: { exerciseId: string; commits: number; failing?: FailingTests } | undefined;
  /** Released exercises they have not passed. */
  openExercises: number;
}

export type Nudge = { kind: 'stuck'; exerciseId: string; commits: number; failing?: FailingTests } | { kind: 'inactive'; days: number };

/** Which nudge a learner should get now, if any; the job makes it at most one per learner per week. */
export function nudgeFor(facts: NudgeFacts, now: Date, thresholds = { inactiveDays: DEFAULT_INACTIVE_DAYS, stuckCommits: DEFAULT_STUCK_COMMITS }): Nudge | undefined {
  if (facts.remindersOptOut) return undefined;
  if (facts.stuck && facts.stuck.commits >= thresholds.stuckCommits) return { kind: 'stuck', ...facts.stuck };
  if (facts.openExercises === 0) return undefined;
  const last = Math.max(facts.joinedAt.getTime(), facts.lastPushAt?.getTime() ?? 0, facts.lastPassAt?.getTime() ?? 0);
  const days = Math.floor((now.getTime() - last) / 86_400_000);
  return days >= thresholds.inactiveDays ? { kind: 'inactive', days } : undefined;
}
