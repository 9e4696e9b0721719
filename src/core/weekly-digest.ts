import { DateTime } from 'luxon';
import type { CohortCalendar } from './cohort.ts';
import type { Course } from './course.ts';
import { firstRelease, type ModuleWindow } from './schedule.ts';

/** When the weekly digest goes out unless the cohort says otherwise: Fridays 17:00 on the cohort's clock. */
export const DEFAULT_DIGEST_SLOT = { weekday: 5, time: '17:00' } as const;
/** A digest later than this after its slot says it is late (the bot was down). */
const LATE_AFTER_MS = 3600_000;

/** The latest digest slot at or before `now`, on the cohort's local calendar (so 17:00 stays 17:00 across DST). */
export function latestDigestSlot(calendar: CohortCalendar, now: Date, slot: { weekday: number; time: string } = DEFAULT_DIGEST_SLOT): Date {
  const [hour = 0, minute = 0] = slot.time.split(':').map(Number);
  const today = DateTime.fromJSDate(now, { zone: calendar.timezone });
  let day = today.minus({ days: (today.weekday - slot.weekday + 7) % 7 });
  let at = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone: calendar.timezone });
  if (at.toMillis() > now.getTime()) {
    day = day.minus({ weeks: 1 });
    at = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone: calendar.timezone });
  }
  return at.toJSDate();
}

/** The period key of a digest: its slot's local date, e.g. `digest-2026-12-18`. */
export function digestPeriod(slot: Date, calendar: CohortCalendar): string {
  return `digest-${DateTime.fromJSDate(slot, { zone: calendar.timezone }).toISODate()}`;
}

/**
 * The digest due at `now`: the latest slot's, unless already claimed or before the cohort began. After downtime only
 * that one is due (earlier weeks are never caught up), marked late.
 */
export function planDigest(
  calendar: CohortCalendar,
  now: Date,
  claimed: ReadonlySet<string>,
  at: { weekday: number; time: string } = DEFAULT_DIGEST_SLOT,
): { slot: Date; period: string; late: boolean } | undefined {
  const slot = latestDigestSlot(calendar, now, at);
  if (slot.getTime() < firstRelease(calendar).toMillis()) return undefined;
  const period = digestPeriod(slot, calendar);
  if (claimed.has(period)) return undefined;
  return { slot, period, late: now.getTime() - slot.getTime() > LATE_AFTER_MS };
}

export interface WeekFacts {
  /** First passes in the week before the slot. */
  passes: number;
  /** Learners who finished a module this week (its last exercise passed in the week), with the module's number. */
  finishedModules: { learnerId: number; module: number }[];
}

/** What happened in the week `[slot − 7 days, slot)`, from the cohort's first passes. Linear in passes. */
export function weekFacts(course: Course, passes: readonly { learnerId: number; exerciseId: string; firstPassedAt: Date }[], slot: Date): WeekFacts {
  const from = DateTime.fromJSDate(slot).minus({ days: 7 }).toMillis();
  const to = slot.getTime();
  const inWeek = (t: Date) => t.getTime() >= from && t.getTime() < to;
  const moduleOf = new Map(course.modules.flatMap((m) => m.exercises.map((e) => [e.id, m] as const)));
  // Per learner and module: how many exercises passed, and the latest pass.
  const progress = new Map<string, { count: number; last: Date; learnerId: number; module: number; of: number }>();
  let count = 0;
  for (const pass of passes) {
    if (inWeek(pass.firstPassedAt)) count += 1;
    const module = moduleOf.get(pass.exerciseId);
    if (!module) continue;
    const key = `${pass.learnerId}:${module.number}`;
    const entry = progress.get(key) ?? { count: 0, last: pass.firstPassedAt, learnerId: pass.learnerId, module: module.number, of: module.exercises.length };
    entry.count += 1;
    if (pass.firstPassedAt > entry.last) entry.last = pass.firstPassedAt;
    progress.set(key, entry);
  }
  const finishedModules = [...progress.values()].filter((p) => p.count === p.of && inWeek(p.last)).map(({ learnerId, module }) => ({ learnerId, module }));
  return { passes: count, finishedModules };
}

/** What a weekly digest says; the job gathers it, a chat view words it. */
export interface DigestFacts {
  passes: number;
  /** Display names and module numbers of those who finished a module this week. */
  finished: { name: string; module: number }[];
  top: { learnerId: number; displayName: string; rank: number; points: number }[];
  /** Learners of `top` ranked better than in the last digest (or new to its top), with their old rank if known. */
  movedUp: { name: string; from: number | undefined; to: number }[];
  next: ModuleWindow | undefined;
  late: boolean;
}

/** The next due date after `now`, if any. */
export function nextDeadline(windows: readonly ModuleWindow[], now: Date): ModuleWindow | undefined {
  return windows.find((w) => w.dueAt.getTime() > now.getTime());
}
