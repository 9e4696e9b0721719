import { DateTime } from 'luxon';
import type { CohortCalendar } from './cohort.ts';
import type { Course, Module } from './course.ts';

/**
 * A cohort's timetable. Module 1 is released at the first weekly post slot on or after the start date; each
 * module then runs for its `weeks`, and its due date is the next module's release. Weeks are added on the local
 * calendar of the cohort's zone, so a 09:00 post stays at 09:00 across DST changes and year ends.
 */
export interface ModuleWindow {
  module: Module;
  releaseAt: Date;
  dueAt: Date;
  /** Cohort week (1-based) in which the module is released. */
  week: number;
}

function localStart(calendar: CohortCalendar): DateTime {
  const [hour, minute] = calendar.postTime.split(':').map(Number);
  return DateTime.fromISO(calendar.startDate, { zone: calendar.timezone }).set({
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: 0,
    millisecond: 0,
  });
}

/** The first post slot on or after the start date, as a local DateTime in the cohort's zone. */
export function firstRelease(calendar: CohortCalendar): DateTime {
  const start = localStart(calendar);
  const daysAhead = (calendar.postWeekday - start.weekday + 7) % 7;
  // Adding calendar days (not hours) keeps the wall-clock time when a DST change falls in between.
  return start.plus({ days: daysAhead });
}

export function moduleWindows(course: Course, calendar: CohortCalendar): ModuleWindow[] {
  const first = firstRelease(calendar);
  let weeksBefore = 0;
  return course.modules.map((module) => {
    const release = first.plus({ weeks: weeksBefore });
    const due = first.plus({ weeks: weeksBefore + module.weeks });
    const window = { module, releaseAt: release.toJSDate(), dueAt: due.toJSDate(), week: weeksBefore + 1 };
    weeksBefore += module.weeks;
    return window;
  });
}

/** The cohort week that `now` falls in: 0 before the first release, then 1, 2, … (keeps counting after the end). */
export function cohortWeek(calendar: CohortCalendar, now: Date): number {
  const first = firstRelease(calendar);
  const current = DateTime.fromJSDate(now, { zone: calendar.timezone });
  if (current < first) return 0;
  return Math.floor(current.diff(first, 'weeks').weeks) + 1;
}

export function isReleased(window: ModuleWindow, now: Date): boolean {
  return window.releaseAt.getTime() <= now.getTime();
}

/** The module the cohort is on now: the latest released one, or undefined before the start. */
export function currentWindow(windows: readonly ModuleWindow[], now: Date): ModuleWindow | undefined {
  return windows.filter((w) => isReleased(w, now)).at(-1);
}

export function totalWeeks(course: Course): number {
  return course.modules.reduce((sum, m) => sum + m.weeks, 0);
}
