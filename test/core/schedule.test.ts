import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CohortCalendar } from '../../src/core/cohort.ts';
import type { Course } from '../../src/core/course.ts';
import { cohortWeek, currentWindow, firstRelease, isReleased, moduleWindows, totalWeeks } from '../../src/core/schedule.ts';
import { loadCourse } from '../../src/content/load-course.ts';
import { tinyCourse } from '../helpers/tiny-course.ts';

/** A course whose modules last the given numbers of weeks. */
const courseOf = (weeks: number[]) => tinyCourse(weeks.map((w) => ({ weeks: w })));

function calendar(overrides: Partial<CohortCalendar>): CohortCalendar {
  return { startDate: '2026-01-05', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00', ...overrides };
}

const releases = (course: Course, cal: CohortCalendar) => moduleWindows(course, cal).map((w) => w.releaseAt.toISOString());
const WEEK_MS = 7 * 24 * 3600 * 1000;

describe('firstRelease', () => {
  it('GIVEN a start date on the post weekday THEN module 1 is released that day at the post time', () => {
    const first = firstRelease(calendar({ startDate: '2026-01-05', postWeekday: 1, postTime: '09:00' }));
    assert.equal(first.toISO(), '2026-01-05T09:00:00.000+01:00');
    assert.equal(first.toJSDate().toISOString(), '2026-01-05T08:00:00.000Z');
  });

  it('GIVEN a start on another weekday THEN the first release is the next post weekday', () => {
    // 2026-01-07 is a Wednesday.
    assert.equal(firstRelease(calendar({ startDate: '2026-01-07', postWeekday: 1 })).toISODate(), '2026-01-12');
    assert.equal(firstRelease(calendar({ startDate: '2026-01-07', postWeekday: 2 })).toISODate(), '2026-01-13');
    assert.equal(firstRelease(calendar({ startDate: '2026-01-07', postWeekday: 5 })).toISODate(), '2026-01-09');
    assert.equal(firstRelease(calendar({ startDate: '2026-01-11', postWeekday: 1, postTime: '18:45' })).toISO(), '2026-01-12T18:45:00.000+01:00');
  });

  it('GIVEN a start on Wed 2026-12-30 THEN a Wednesday cohort starts that day and a Monday cohort on 2027-01-04', () => {
    assert.equal(firstRelease(calendar({ startDate: '2026-12-30', postWeekday: 3 })).toISO(), '2026-12-30T09:00:00.000+01:00');
    assert.equal(firstRelease(calendar({ startDate: '2026-12-30', postWeekday: 1 })).toISO(), '2027-01-04T09:00:00.000+01:00');
  });

  it('GIVEN a zone east of UTC THEN the start date is the local date, not the UTC date', () => {
    // 2027-01-01 (Friday) 09:00 in Auckland (NZDT, +13) is still 31 December in UTC.
    const fri = firstRelease(calendar({ startDate: '2027-01-01', timezone: 'Pacific/Auckland', postWeekday: 5 }));
    assert.equal(fri.toISO(), '2027-01-01T09:00:00.000+13:00');
    assert.equal(fri.toJSDate().toISOString(), '2026-12-31T20:00:00.000Z');
    // Starting on Thursday 31 December local with a Friday post: the next local day.
    const fromThu = firstRelease(calendar({ startDate: '2026-12-31', timezone: 'Pacific/Auckland', postWeekday: 5 }));
    assert.equal(fromThu.toJSDate().toISOString(), '2026-12-31T20:00:00.000Z');
    // Thursday post starting on that Thursday: the same local day, 30 December in UTC.
    const thu = firstRelease(calendar({ startDate: '2026-12-31', timezone: 'Pacific/Auckland', postWeekday: 4 }));
    assert.equal(thu.toJSDate().toISOString(), '2026-12-30T20:00:00.000Z');
  });

  it('GIVEN a zone west of UTC and an evening post THEN the UTC instant falls on the next day', () => {
    const first = firstRelease(calendar({ startDate: '2026-12-31', timezone: 'America/New_York', postWeekday: 4, postTime: '20:00' }));
    assert.equal(first.toISO(), '2026-12-31T20:00:00.000-05:00');
    assert.equal(first.toJSDate().toISOString(), '2027-01-01T01:00:00.000Z');
  });
});

describe('moduleWindows', () => {
  const course = loadCourse();
  const cal = calendar({ startDate: '2026-12-30', postWeekday: 3 });
  const windows = moduleWindows(course, cal);

  it('GIVEN the real course THEN there is one window per module, in order, with cohort week numbers from the weeks', () => {
    assert.deepEqual(windows.map((w) => w.module.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(windows.map((w) => w.week), [1, 3, 5, 7, 9, 11, 13, 15, 18, 21, 24, 25]);
    assert.equal(totalWeeks(course), 26);
  });

  it('THEN each module is due when the next module is released', () => {
    for (let i = 0; i + 1 < windows.length; i++) {
      assert.equal(windows[i]!.dueAt.getTime(), windows[i + 1]!.releaseAt.getTime(), `module ${i + 1}`);
    }
  });

  it('GIVEN a UTC cohort THEN each window lasts exactly its module weeks and the course ends after totalWeeks', () => {
    const utc = moduleWindows(course, calendar({ startDate: '2026-01-05', timezone: 'UTC' }));
    for (const w of utc) assert.equal(w.dueAt.getTime() - w.releaseAt.getTime(), w.module.weeks * WEEK_MS, w.module.slug);
    assert.equal(utc.at(-1)!.dueAt.getTime() - utc[0]!.releaseAt.getTime(), totalWeeks(course) * WEEK_MS);
  });

  it('GIVEN a start on 2026-12-30 THEN windows continue into 2027 at the local post time, through the spring DST change', () => {
    assert.equal(windows[0]!.releaseAt.toISOString(), '2026-12-30T08:00:00.000Z');
    assert.equal(windows[1]!.releaseAt.toISOString(), '2027-01-13T08:00:00.000Z');
    assert.equal(windows[6]!.releaseAt.toISOString(), '2027-03-24T08:00:00.000Z');
    assert.equal(windows[7]!.releaseAt.toISOString(), '2027-04-07T07:00:00.000Z');
    assert.equal(windows[11]!.releaseAt.toISOString(), '2027-06-16T07:00:00.000Z');
    assert.equal(windows[11]!.dueAt.toISOString(), '2027-06-30T07:00:00.000Z');
  });

  it('GIVEN weekly modules over the year end THEN releases are on consecutive Mondays across the new year', () => {
    assert.deepEqual(releases(courseOf([1, 1, 1]), calendar({ startDate: '2026-12-21' })), [
      '2026-12-21T08:00:00.000Z',
      '2026-12-28T08:00:00.000Z',
      '2027-01-04T08:00:00.000Z',
    ]);
    // Auckland: local Monday 09:00 (+13) is Sunday 20:00 UTC, also across the year end.
    assert.deepEqual(releases(courseOf([1, 1]), calendar({ startDate: '2026-12-28', timezone: 'Pacific/Auckland' })), [
      '2026-12-27T20:00:00.000Z',
      '2027-01-03T20:00:00.000Z',
    ]);
  });

  it('GIVEN a Berlin cohort over the spring DST change THEN posts stay at 09:00 local (08:00Z in CET, 07:00Z in CEST)', () => {
    // Clocks go forward on Sunday 2026-03-29.
    const ws = moduleWindows(courseOf([1, 1, 1]), calendar({ startDate: '2026-03-16' }));
    assert.deepEqual(ws.map((w) => w.releaseAt.toISOString()), ['2026-03-16T08:00:00.000Z', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    assert.equal(ws[2]!.dueAt.toISOString(), '2026-04-06T07:00:00.000Z');
  });

  it('GIVEN a Berlin cohort over the autumn DST change THEN posts stay at 09:00 local (07:00Z in CEST, 08:00Z in CET)', () => {
    // Clocks go back on Sunday 2026-10-25.
    const ws = moduleWindows(courseOf([1, 1, 1]), calendar({ startDate: '2026-10-12' }));
    assert.deepEqual(ws.map((w) => w.releaseAt.toISOString()), ['2026-10-12T07:00:00.000Z', '2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z']);
    assert.equal(ws[2]!.dueAt.toISOString(), '2026-11-02T08:00:00.000Z');
  });

  it('GIVEN a New York cohort THEN posts follow US DST dates (Mar 8 and Nov 1, 2026), not European ones', () => {
    const ny = { timezone: 'America/New_York' };
    assert.deepEqual(releases(courseOf([1, 1, 1, 1]), calendar({ ...ny, startDate: '2026-03-02' })), [
      '2026-03-02T14:00:00.000Z', // EST
      '2026-03-09T13:00:00.000Z', // EDT, while Berlin is still on CET
      '2026-03-16T13:00:00.000Z',
      '2026-03-23T13:00:00.000Z',
    ]);
    assert.deepEqual(releases(courseOf([1, 1]), calendar({ ...ny, startDate: '2026-10-26' })), [
      '2026-10-26T13:00:00.000Z', // EDT, while Berlin is already on CET
      '2026-11-02T14:00:00.000Z', // EST
    ]);
  });

  it(
    'GIVEN a first post slot inside a DST gap THEN only that post moves; later posts are at the chosen local time',
    () => {
      // Europe/Berlin skips 02:00–03:00 on Sunday 2026-03-29; a Sunday 02:30 cohort starts that day.
      const ws = moduleWindows(courseOf([1, 1, 1]), calendar({ startDate: '2026-03-29', postWeekday: 7, postTime: '02:30' }));
      assert.equal(ws[1]!.releaseAt.toISOString(), '2026-04-05T00:30:00.000Z'); // 02:30 CEST
      assert.equal(ws[2]!.releaseAt.toISOString(), '2026-04-12T00:30:00.000Z');
    },
  );
});

describe('cohortWeek', () => {
  const cal = calendar({ startDate: '2026-01-05' });
  const first = Date.parse('2026-01-05T08:00:00.000Z');

  it('is 0 before the first release and 1 at the first release instant', () => {
    assert.equal(cohortWeek(cal, new Date('2025-12-01T00:00:00Z')), 0);
    assert.equal(cohortWeek(cal, new Date(first - 1)), 0);
    assert.equal(cohortWeek(cal, new Date(first)), 1);
  });

  it('increments at each weekly post slot and keeps counting after the course', () => {
    assert.equal(cohortWeek(cal, new Date(first + WEEK_MS - 1)), 1);
    assert.equal(cohortWeek(cal, new Date(first + WEEK_MS)), 2);
    assert.equal(cohortWeek(cal, new Date(first + 2 * WEEK_MS + 3600_000)), 3);
    assert.equal(cohortWeek(cal, new Date('2026-01-26T07:59:59.999Z')), 3);
    assert.equal(cohortWeek(cal, new Date('2026-01-26T08:00:00.000Z')), 4);
  });

  it('GIVEN a start on a later weekday THEN weeks count from the first post slot, not the start date', () => {
    const wed = calendar({ startDate: '2026-01-07' });
    assert.equal(cohortWeek(wed, new Date('2026-01-08T12:00:00Z')), 0);
    assert.equal(cohortWeek(wed, new Date('2026-01-12T08:00:00Z')), 1);
  });

  it('GIVEN spring forward THEN the week changes at 09:00 CEST (07:00Z), not at 08:00Z', () => {
    const spring = calendar({ startDate: '2026-03-23' });
    assert.equal(cohortWeek(spring, new Date('2026-03-30T06:59:59.999Z')), 1);
    assert.equal(cohortWeek(spring, new Date('2026-03-30T07:00:00.000Z')), 2);
    assert.equal(cohortWeek(spring, new Date('2026-04-06T06:59:59.999Z')), 2);
    assert.equal(cohortWeek(spring, new Date('2026-04-06T07:00:00.000Z')), 3);
  });

  it('GIVEN fall back THEN the week changes at 09:00 CET (08:00Z), not at 07:00Z', () => {
    const autumn = calendar({ startDate: '2026-10-19' });
    assert.equal(cohortWeek(autumn, new Date('2026-10-26T07:00:00.000Z')), 1);
    assert.equal(cohortWeek(autumn, new Date('2026-10-26T07:59:59.999Z')), 1);
    assert.equal(cohortWeek(autumn, new Date('2026-10-26T08:00:00.000Z')), 2);
    assert.equal(cohortWeek(autumn, new Date('2026-11-02T08:00:00.000Z')), 3);
  });

  it('agrees with the module windows: at each release instant it equals the window week', () => {
    const cal2 = calendar({ startDate: '2026-12-30', postWeekday: 3 });
    for (const w of moduleWindows(loadCourse(), cal2)) {
      assert.equal(cohortWeek(cal2, w.releaseAt), w.week, w.module.slug);
      assert.equal(cohortWeek(cal2, new Date(w.releaseAt.getTime() - 1)), w.week - 1, w.module.slug);
    }
  });
});

describe('isReleased and currentWindow', () => {
  const windows = moduleWindows(courseOf([2, 1, 3]), calendar({ startDate: '2026-01-05', timezone: 'UTC' }));
  const at = (iso: string) => new Date(iso);

  it('isReleased is false until the release instant and true from it on', () => {
    const second = windows[1]!;
    assert.equal(isReleased(second, new Date(second.releaseAt.getTime() - 1)), false);
    assert.equal(isReleased(second, second.releaseAt), true);
    assert.equal(isReleased(second, at('2030-01-01T00:00:00Z')), true);
  });

  it('GIVEN a time before the start THEN there is no current window', () => {
    assert.equal(currentWindow(windows, at('2026-01-05T08:59:59.999Z')), undefined);
  });

  it('GIVEN a time mid-course THEN the current window is the latest released module', () => {
    assert.equal(currentWindow(windows, at('2026-01-05T09:00:00Z'))?.module.number, 1);
    assert.equal(currentWindow(windows, at('2026-01-18T23:00:00Z'))?.module.number, 1);
    assert.equal(currentWindow(windows, at('2026-01-19T09:00:00Z'))?.module.number, 2);
    assert.equal(currentWindow(windows, at('2026-01-27T12:00:00Z'))?.module.number, 3);
  });

  it('GIVEN a time after the last due date THEN the current window stays the last module', () => {
    assert.equal(windows[2]!.dueAt.toISOString(), '2026-02-16T09:00:00.000Z');
    assert.equal(currentWindow(windows, at('2026-02-16T09:00:00Z'))?.module.number, 3);
    assert.equal(currentWindow(windows, at('2027-06-01T00:00:00Z'))?.module.number, 3);
  });
});
