import { assignmentPeriod, planAssignmentPosts } from '../core/assignment-posts.ts';
import type { Cohort } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import { moduleWindows, type ModuleWindow } from '../core/schedule.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

export interface AssignmentJobDeps {
  store: Store;
  course: Course;
  logger: Logger;
  /** The message for a module's release; injected so the scheduler knows no chat formats. */
  render(window: ModuleWindow, cohort: Cohort): unknown;
}

/**
 * Posts each active cohort's newly released module once: the claim and the outbox message are written in one
 * transaction, so a restart never posts twice and a bot back from downtime posts only the current module.
 * One cohort's failure is logged and does not stop the others. Returns how many posts were enqueued.
 */
export function postDueAssignments(deps: AssignmentJobDeps, now: Date): number {
  const { store, course, logger } = deps;
  let posted = 0;
  for (const cohort of store.cohorts.listActive()) {
    if (cohort.calendarProblem) {
      // Said every round on purpose: a cohort that posts nothing must not go unnoticed in the logs.
      logger.error({ cohort: cohort.id, problem: cohort.calendarProblem }, 'cohort skipped: its calendar is not usable');
      continue;
    }
    try {
      posted += store.transaction(() => {
        const plan = planAssignmentPosts(moduleWindows(course, cohort), now, store.posts.claimedPeriods(cohort.id, 'assignment'));
        for (const window of plan.skip) store.posts.claim(cohort.id, 'assignment', assignmentPeriod(window), null, now);
        if (!plan.post) return 0;
        const outboxId = store.outbox.enqueue(cohort.id, 'assignment', deps.render(plan.post, cohort), now);
        store.posts.claim(cohort.id, 'assignment', assignmentPeriod(plan.post), outboxId, now);
        logger.info({ cohort: cohort.id, module: plan.post.module.number, skipped: plan.skip.length }, 'assignment post enqueued');
        return 1;
      });
    } catch (error) {
      logger.error({ err: error, cohort: cohort.id }, 'could not plan the assignment post of a cohort');
    }
  }
  return posted;
}
