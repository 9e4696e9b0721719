import { assignmentPeriod } from '../core/assignment-posts.ts';
import { pairBuddies, pairsOf } from '../core/buddies.ts';
import type { Cohort, Learner } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import { currentWindow, moduleWindows, type ModuleWindow } from '../core/schedule.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { cohortRound } from './cohort-round.ts';

export interface BuddyJobDeps {
  store: Store;
  course: Course;
  logger: Logger;
  /** The direct message introducing a learner to their buddies; injected so the scheduler knows no chat formats. */
  renderIntroduction(window: ModuleWindow, learner: Learner, buddies: readonly Learner[], cohort: Cohort): unknown;
}

/**
 * At each module release, pairs the cohort's opted-in learners (a trio when odd), avoiding earlier partners, and
 * introduces each to their buddies by direct message. The groups, the claim and the messages are written in one
 * transaction: once per module, and after downtime only for the current module. Returns how many groups were made.
 */
export function pairStudyBuddies(deps: BuddyJobDeps, now: Date): number {
  const { store, course, logger } = deps;
  return cohortRound(store.cohorts.listActive(), logger, 'could not pair the study buddies of a cohort', (cohort) =>
    store.transaction(() => {
      const window = currentWindow(moduleWindows(course, cohort), now);
      if (!window) return 0;
      const period = assignmentPeriod(window);
      if (store.posts.claimedPeriods(cohort.id, 'buddies').has(period)) return 0;
      const optedIn = store.buddies.optedIn(cohort.id);
      const history = pairsOf([...store.buddies.groups(cohort.id).values()].flat());
      const groups = pairBuddies(optedIn, history, cohort.id * 1000 + window.module.number);
      store.posts.claim(cohort.id, 'buddies', period, null, now);
      if (groups.length === 0) return 0;
      store.buddies.save(cohort.id, period, groups);
      const learners = new Map(store.learners.listInCohort(cohort.id).map((l) => [l.id, l]));
      for (const group of groups) {
        const members = group.map((id) => learners.get(id)).filter((l): l is Learner => l !== undefined);
        for (const learner of members) {
          const payload = deps.renderIntroduction(window, learner, members.filter((m) => m !== learner), cohort);
          store.outbox.enqueue(cohort.id, 'buddies', payload, now, learner.platformUserId);
        }
      }
      logger.info({ cohort: cohort.id, module: window.module.number, groups: groups.length }, 'study buddies paired');
      return groups.length;
    }),
  );
}
