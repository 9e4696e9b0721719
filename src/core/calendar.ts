import { DateTime, IANAZone } from 'luxon';
import { err, ok, type Result } from './result.ts';
import { quoted } from './quoted.ts';

/** Parsers for the date, time and zone inputs a cohort is created from. Pure; they say what was wrong. */

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * Zones found valid. Every cohort read checks its zone, and luxon answers by building an Intl.DateTimeFormat each
 * time (a quarter of a /next-module's work at 10,000 learners). Only valid names are kept: there are a few hundred,
 * while invalid ones are whatever anyone types.
 */
const validZones = new Set<string>();

export function isValidTimezone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  const valid = IANAZone.isValidZone(zone);
  if (valid && validZones.size < 2_000) validZones.add(zone);
  return valid;
}

export function parseTimezone(text: string): Result<string> {
  const zone = text.trim();
  return isValidTimezone(zone)
    ? ok(zone)
    : err(`${quoted(zone)} is not a timezone I know. Use an IANA name such as Europe/Berlin or America/New_York.`);
}

/** `YYYY-MM-DD`, a real calendar date. */
export function parseDate(text: string): Result<string> {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) return err(`${quoted(trimmed)} is not a date. Write it as YYYY-MM-DD, e.g. 2026-12-07.`);
  const date = DateTime.fromISO(trimmed, { zone: 'UTC' });
  if (!date.isValid) return err(`${trimmed} is not a real calendar date.`);
  // A cohort runs in this century: year 0000 or 9999 is a typo, and would make every schedule meaningless.
  return date.year < 2000 || date.year > 2100 ? err(`${trimmed} is not a date a cohort can use: pick one between 2000 and 2100.`) : ok(trimmed);
}

/** `HH:MM` on a 24-hour clock. */
export function parseClockTime(text: string): Result<string> {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return err(`${quoted(text.trim())} is not a time. Write it as HH:MM on a 24-hour clock, e.g. 09:00.`);
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) return err(`${text.trim()} is not a valid time of day.`);
  return ok(`${String(hour).padStart(2, '0')}:${match[2]}`);
}

/** `Mon 09:00` → ISO weekday and time. */
export function parsePostTime(text: string): Result<{ weekday: number; time: string }> {
  const [dayWord = '', timeWord = '', ...rest] = text.trim().split(/\s+/);
  // Any start of a weekday's name from three letters on: Mon, Tues, Thurs, Wednesday; not Monkey.
  const word = dayWord.toLowerCase();
  const weekday = word.length >= 3 ? WEEKDAYS.findIndex((name) => name.startsWith(word)) + 1 : 0;
  if (weekday === 0 || rest.length > 0) {
    return err(`${quoted(text.trim())} is not a weekly post time. Write a weekday and a time, e.g. "Mon 09:00".`);
  }
  const time = parseClockTime(timeWord);
  return time.ok ? ok({ weekday, time: time.value }) : time;
}

/**
 * What is wrong with a stored calendar, in words for an organiser, or null. A calendar that was valid when the
 * cohort was created can stop being one (a zone renamed in a newer tz database, a row edited by hand); every read
 * path checks, so such a cohort is reported instead of silently never posting.
 */
export function calendarProblem(calendar: { startDate: string; timezone: string; postWeekday: number; postTime: string }): string | null {
  if (!isValidTimezone(calendar.timezone)) return `its timezone ${quoted(calendar.timezone)} is not one I know; set a valid one with /cohort timezone`;
  const date = parseDate(calendar.startDate);
  if (!date.ok) return `its start date is not valid (${date.error})`;
  const time = parseClockTime(calendar.postTime);
  if (!time.ok || time.value !== calendar.postTime) return `its post time ${quoted(calendar.postTime)} is not a valid HH:MM time`;
  if (!Number.isInteger(calendar.postWeekday) || calendar.postWeekday < 1 || calendar.postWeekday > 7) return `its post weekday ${calendar.postWeekday} is not 1–7`;
  return null;
}

export function weekdayName(isoWeekday: number): string {
  const names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  return names[isoWeekday - 1] ?? `day ${isoWeekday}`;
}

/**
 * Recently formatted dates: a cohort shows the same few release and due dates to every member, and luxon's zone
 * name token builds an Intl formatter per call. Cleared when full, so it stays small whatever is asked.
 */
const formatted = new Map<string, string>();

function formatCached(instant: Date, timezone: string, format: string): string {
  const key = `${instant.getTime()}|${timezone}|${format}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = DateTime.fromJSDate(instant, { zone: timezone }).toFormat(format);
    if (formatted.size >= 1_000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** How dates are shown to learners: in the cohort's zone, with its short name (EST, or GMT+1 where en-US has none). */
export function formatInZone(instant: Date, timezone: string): string {
  return formatCached(instant, timezone, 'ccc d LLL yyyy, HH:mm ZZZZ');
}

export function formatDayInZone(instant: Date, timezone: string): string {
  return formatCached(instant, timezone, 'ccc d LLL yyyy');
}
