import type { Cohort } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import { nudgeFor, type Nudge } from '../core/nudges.ts';
import { cohortWeek, isReleased, moduleWindows } from '../core/schedule.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { cohortRound } from './cohort-round.ts';

/** A learner hears from the nudges at most this often. */
const NUDGE_INTERVAL_MS = 7 * 24 * 3600_000;

export interface NudgeJobDeps {
  store: Store;
  course: Course;
  logger: Logger;
  /** The direct message; injected so the scheduler knows no chat formats. */
  renderNudge(nudge: Nudge, learner: { displayName: string }, cohort: Cohort): unknown;
}

/**
 * Sends private nudges: to learners stuck on an exercise (failed on several commits in a row) or quiet for a week
 * while work is open to them, never to those who opted out. At most one per learner in any seven days: each is claimed
 * (a `nudge:<learner>` rate limit) with its outbox message in one transaction. Returns how many were enqueued.
 */
export function sendNudges(deps: NudgeJobDeps, now: Date): number {
  const { store, course, logger } = deps;
  const sent = cohortRound(store.cohorts.listActive(), logger, 'could not send the nudges of a cohort', (cohort) => {
    // cohortWeek is 0 before the first release: nothing is open to anyone yet.
    if (cohortWeek(cohort, now) === 0) return 0;
    const released = new Set(moduleWindows(course, cohort).filter((w) => isReleased(w, now)).flatMap((w) => w.module.exercises.map((e) => e.id)));
    let queued = 0;
    for (const learner of store.nudgeFacts.forCohort(cohort.id, released)) {
      const nudge = nudgeFor(learner.facts, now, cohort.settings?.nudges);
      if (!nudge) continue;
      queued += store.transaction(() => {
        // At most one in any seven days, whatever the cohort's week boundaries.
        if (store.rateLimits.claim(`nudge:${learner.learnerId}`, now, NUDGE_INTERVAL_MS) > 0) return 0;
        store.outbox.enqueue(cohort.id, 'nudge', deps.renderNudge(nudge, learner, cohort), now, learner.platformUserId);
        return 1;
      });
    }
    return queued;
  });
  if (sent > 0) logger.info({ sent }, 'nudges enqueued');
  return sent;
}
