import { completedExercises, type Cohort, type Learner } from '../../core/cohort.ts';
import { moduleWindows, type ModuleWindow } from '../../core/schedule.ts';
import type { Services } from '../context.ts';
import { UserError } from '../user-error.ts';

/** The cohort's timetable: computed per request, since it is cheap and a cohort's dates can change. */
export function windowsFor(cohort: Cohort, services: Services): ModuleWindow[] {
  if (cohort.calendarProblem) {
    throw new UserError('cohort-calendar', `${cohort.name} has no usable schedule: ${cohort.calendarProblem}.`, 'An organiser can see it in /cohort status.');
  }
  return moduleWindows(services.course, cohort);
}

/** Exercise ids this learner has done (passed at least once). */
export function doneExercises(learner: Learner | undefined, services: Services): Set<string> {
  return learner ? completedExercises(services.store.results.listForLearner(learner.id)) : new Set();
}
