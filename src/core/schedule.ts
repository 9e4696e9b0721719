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

/** The post slot on a local calendar date: built from date and wall-clock time, so a DST gap moves only that post. */
function slotOn(date: DateTime, postTime: string, zone: string): DateTime {
  const [hour = 0, minute = 0] = postTime.split(':').map(Number);
  return DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute }, { zone });
}

/** The local calendar date of the first post: the first post weekday on or after the start date. */
function firstReleaseDate(calendar: CohortCalendar): DateTime {
  const start = DateTime.fromISO(calendar.startDate, { zone: calendar.timezone }).startOf('day');
  return start.plus({ days: (calendar.postWeekday - start.weekday + 7) % 7 });
}

/** The post slot `weeks` after the first one, as a local DateTime in the cohort's zone. */
function slotAfter(calendar: CohortCalendar, weeks: number): DateTime {
  return slotOn(firstReleaseDate(calendar).plus({ weeks }), calendar.postTime, calendar.timezone);
}

/**
 * Post slots as epoch milliseconds, per calendar, computed once: Luxon's zone arithmetic costs a fraction of a
 * millisecond per slot, and every command, board line and streak asks for them.
 */
const slotCache = new Map<string, number[]>();
const SLOT_CACHE_CALENDARS = 10_000;

function slotMillis(calendar: CohortCalendar, weeks: number): number {
  const key = `${calendar.startDate}|${calendar.timezone}|${calendar.postWeekday}|${calendar.postTime}`;
  let slots = slotCache.get(key);
  if (!slots) {
    if (slotCache.size >= SLOT_CACHE_CALENDARS) slotCache.clear();
    slotCache.set(key, (slots = []));
  }
  while (slots.length <= weeks) slots.push(slotAfter(calendar, slots.length).toMillis());
  return slots[weeks] as number;
}

/** The first post slot on or after the start date. */
export function firstRelease(calendar: CohortCalendar): DateTime {
  return slotAfter(calendar, 0);
}

/** The calendar slot of the course's `week`-th week boundary, stepping over the skipped slots. */
export function courseSlot(calendar: CohortCalendar, week: number): number {
  let slot = week;
  for (const skipped of [...(calendar.skippedSlots ?? [])].sort((a, b) => a - b)) if (skipped <= slot) slot += 1;
  return slot;
}

/** When calendar slot `slot` (0 = the first post) happens. */
export function slotTime(calendar: CohortCalendar, slot: number): Date {
  return new Date(slotMillis(calendar, slot));
}

export function moduleWindows(course: Course, calendar: CohortCalendar): ModuleWindow[] {
  let weeksBefore = 0;
  return course.modules.map((module) => {
    const window = {
      module,
      releaseAt: new Date(slotMillis(calendar, courseSlot(calendar, weeksBefore))),
      dueAt: new Date(slotMillis(calendar, courseSlot(calendar, weeksBefore + module.weeks))),
      week: weeksBefore + 1,
    };
    weeksBefore += module.weeks;
    return window;
  });
}

/** The cohort week that `now` falls in: 0 before the first release, then 1, 2, … (keeps counting after the end). */
export function cohortWeek(calendar: CohortCalendar, now: Date): number {
  const at = now.getTime();
  if (at < slotMillis(calendar, 0)) return 0;
  // A week is 7 local days: at most an hour's DST shift away from 7 × 24 hours, so the estimate is off by one at most.
  let weeks = Math.max(0, Math.floor((at - slotMillis(calendar, 0)) / WEEK_MS));
  while (weeks > 0 && slotMillis(calendar, weeks) > at) weeks -= 1;
  while (slotMillis(calendar, weeks + 1) <= at) weeks += 1;
  return weeks + 1;
}

const WEEK_MS = 7 * 24 * 3600_000;

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
