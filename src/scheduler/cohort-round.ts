import type { Cohort } from '../core/cohort.ts';
import type { Logger } from '../logger.ts';

/**
 * One round of a job over cohorts: each whose calendar can be used gets `work`; one cohort's failure is logged as
 * `failure` and never stops the others. Returns the sum of what `work` returned (messages queued, groups made).
 */
export function cohortRound(cohorts: readonly Cohort[], logger: Logger, failure: string, work: (cohort: Cohort) => number): number {
  let total = 0;
  for (const cohort of cohorts) {
    if (cohort.calendarProblem) continue;
    try {
      total += work(cohort);
    } catch (error) {
      logger.error({ err: error, cohort: cohort.id }, failure);
    }
  }
  return total;
}
