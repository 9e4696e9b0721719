import type { Cohort } from '../../src/core/cohort.ts';
import type { Store } from '../../src/store/store.ts';

/** A cohort on the console's channel: starts Monday 2026-12-07, posts Mondays 09:00 Berlin time. */
export function berlinCohort(store: Store): Cohort {
  return store.cohorts.create(
    {
      platform: 'console',
      workspaceId: 'local',
      channelId: 'terminal',
      name: 'Winter cohort',
      startDate: '2026-12-07',
      timezone: 'Europe/Berlin',
      postWeekday: 1,
      postTime: '09:00',
    },
    new Date('2026-12-01T00:00:00Z'),
  );
}

/** Marks exercises as passed for a learner, as the GitHub watcher will. */
export function pass(store: Store, learnerId: number, exerciseIds: string[], at: Date): void {
  for (const exerciseId of exerciseIds) {
    store.results.record({ learnerId, exerciseId, status: 'passed', commit: 'c0ffee', detail: null }, at);
  }
}
