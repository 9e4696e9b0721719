import { passedCountsAmong, type Cohort, type Learner } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import { DEFAULT_REMINDER_LEAD_HOURS, planReminders, reminderMentions, reminderPeriod } from '../core/reminders.ts';
import { moduleWindows, type ModuleWindow } from '../core/schedule.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { cohortRound } from './cohort-round.ts';

export interface ReminderJobDeps {
  store: Store;
  course: Course;
  logger: Logger;
  /** The reminder message; injected so the scheduler knows no chat formats. */
  renderReminder(facts: { window: ModuleWindow; finished: number; learners: number; mentioned: Learner[]; more: number; late: boolean }, cohort: Cohort): unknown;
}

/**
 * Sends each active cohort's due-date reminders once: the claim and the outbox message are written in one
 * transaction, so a restart never repeats one; after downtime only the latest open one goes out, marked late.
 * Returns how many were enqueued.
 */
export function sendDueReminders(deps: ReminderJobDeps, now: Date): number {
  const { store, course, logger } = deps;
  return cohortRound(store.cohorts.listActive(), logger, 'could not plan the reminder of a cohort', (cohort) =>
    store.transaction(() => {
      const lead = cohort.settings?.reminderLeadHours ?? DEFAULT_REMINDER_LEAD_HOURS;
      const plan = planReminders(moduleWindows(course, cohort), cohort, lead, now, store.posts.claimedPeriods(cohort.id, 'reminder'));
      for (const window of plan.skip) store.posts.claim(cohort.id, 'reminder', reminderPeriod(window), null, now);
      if (!plan.send) return 0;
      const { window, late } = plan.send;
      const learners = store.learners.listInCohort(cohort.id);
      const unfinished = unfinishedLearners(store, cohort.id, learners, window);
      const { mentioned, more } = reminderMentions(unfinished);
      const payload = deps.renderReminder({ window, finished: learners.length - unfinished.length, learners: learners.length, mentioned, more, late }, cohort);
      const outboxId = store.outbox.enqueue(cohort.id, 'reminder', payload, now);
      store.posts.claim(cohort.id, 'reminder', reminderPeriod(window), outboxId, now);
      logger.info({ cohort: cohort.id, module: window.module.number, mentioned: mentioned.length, late }, 'due-date reminder enqueued');
      return 1;
    }),
  );
}

/** Learners with at least one exercise of the module not yet passed, in the order they joined. */
function unfinishedLearners(store: Store, cohortId: number, learners: readonly Learner[], window: ModuleWindow): Learner[] {
  const ids = new Set(window.module.exercises.map((e) => e.id));
  const passed = passedCountsAmong(store.results.passesInCohort(cohortId), ids);
  return learners.filter((learner) => (passed.get(learner.id) ?? 0) < ids.size);
}
