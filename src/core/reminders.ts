import { DateTime } from 'luxon';
import type { CohortCalendar } from './cohort.ts';
import type { ModuleWindow } from './schedule.ts';

/** How long before a module is due its reminder goes out, unless the cohort says otherwise. */
export const DEFAULT_REMINDER_LEAD_HOURS = 48;
/** A reminder later than this after its time says it is late (the bot was down). */
const LATE_AFTER_MS = 3600_000;
/** At most this many learners are mentioned in one reminder; the rest are counted. */
export const MAX_REMINDER_MENTIONS = 25;

/** The period key that makes a module's due-date reminder unique per cohort: `due-module-03`. */
export function reminderPeriod(window: ModuleWindow): string {
  return `due-module-${String(window.module.number).padStart(2, '0')}`;
}

/**
 * When a module's reminder is due: `leadHours` before its due instant, counted on the cohort's local calendar for
 * whole days (48 h before Monday 09:00 is Saturday 09:00 local, across a DST change too), in hours otherwise.
 */
export function reminderAt(window: ModuleWindow, calendar: CohortCalendar, leadHours: number): Date {
  const due = DateTime.fromJSDate(window.dueAt, { zone: calendar.timezone });
  const at = leadHours % 24 === 0 ? due.minus({ days: leadHours / 24 }) : due.minus({ hours: leadHours });
  return at.toJSDate();
}

export interface ReminderPlan {
  /** The reminder to send now, if any: the latest whose time has come while its module is not yet due. */
  send: { window: ModuleWindow; late: boolean } | undefined;
  /** Reminders whose time came and went unsent (downtime): claimed without sending, so no flood follows. */
  skip: ModuleWindow[];
}

/** Which due-date reminder is due at `now`, given the periods already claimed. Pure: the job only carries it out. */
export function planReminders(windows: readonly ModuleWindow[], calendar: CohortCalendar, leadHours: number, now: Date, claimed: ReadonlySet<string>): ReminderPlan {
  const at = now.getTime();
  const reached = windows.filter((w) => reminderAt(w, calendar, leadHours).getTime() <= at && !claimed.has(reminderPeriod(w)));
  // A reminder for a module already due helps nobody: it is only skipped.
  const open = reached.filter((w) => w.dueAt.getTime() > at);
  const latest = open.at(-1);
  return {
    send: latest && { window: latest, late: at - reminderAt(latest, calendar, leadHours).getTime() > LATE_AFTER_MS },
    skip: reached.filter((w) => w !== latest),
  };
}

/** Who to mention: at most `max`, the rest counted; those who opted out are never among them. */
export function reminderMentions<T extends { remindersOptOut: boolean }>(unfinished: readonly T[], max = MAX_REMINDER_MENTIONS): { mentioned: T[]; more: number } {
  const willing = unfinished.filter((learner) => !learner.remindersOptOut);
  return { mentioned: willing.slice(0, max), more: Math.max(0, willing.length - max) };
}
