import { isReleased, type ModuleWindow } from './schedule.ts';

/** The period key that makes an assignment post unique per cohort: `module-03`. */
export function assignmentPeriod(window: ModuleWindow): string {
  return `module-${String(window.module.number).padStart(2, '0')}`;
}

export interface AssignmentPlan {
  /** The module to post now: the latest released one, if it was not posted yet. */
  post: ModuleWindow | undefined;
  /** Released modules never posted and now superseded: claimed without posting, so a bot back from downtime posts once. */
  skip: ModuleWindow[];
}

/** Which assignment posts are due at `now`, given the periods already claimed. Pure: the job only carries it out. */
export function planAssignmentPosts(windows: readonly ModuleWindow[], now: Date, claimed: ReadonlySet<string>): AssignmentPlan {
  const released = windows.filter((w) => isReleased(w, now));
  const latest = released.at(-1);
  const unclaimed = released.filter((w) => !claimed.has(assignmentPeriod(w)));
  return {
    post: latest && unclaimed.includes(latest) ? latest : undefined,
    skip: unclaimed.filter((w) => w !== latest),
  };
}
