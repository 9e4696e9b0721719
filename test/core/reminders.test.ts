import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import type { CohortCalendar } from '../../src/core/cohort.ts';
import { MAX_REMINDER_MENTIONS, planReminders, reminderAt, reminderMentions, reminderPeriod } from '../../src/core/reminders.ts';
import { moduleWindows } from '../../src/core/schedule.ts';
import { tinyCourse } from '../helpers/tiny-course.ts';

const course = tinyCourse([{ exercises: ['a'] }, { exercises: ['b'] }, { exercises: ['c'] }, { exercises: ['d'] }]);
// Mondays 09:00 Berlin from 15 March 2027: module 2 is due Mon 29 March, the day after summer time starts.
const berlin: CohortCalendar = { startDate: '2027-03-15', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' };
const local = (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).toFormat('ccc d LLL HH:mm');

describe('due-date reminders', () => {
  it('come 48 h before the due time on the cohort’s clock, on both sides of a DST change', () => {
    const [first, second] = moduleWindows(course, berlin);
    assert.equal(local(reminderAt(first!, berlin, 48), 'Europe/Berlin'), 'Sat 20 Mar 09:00', 'winter time');
    assert.equal(local(reminderAt(second!, berlin, 48), 'Europe/Berlin'), 'Sat 27 Mar 09:00', 'due in summer time, reminded in winter time');
    assert.equal(reminderAt(second!, berlin, 48).toISOString(), '2027-03-27T08:00:00.000Z');
    assert.equal(reminderAt(second!, berlin, 12).toISOString(), '2027-03-28T19:00:00.000Z', 'a lead in hours counts hours');
  });

  it('follow each cohort’s own timezone', () => {
    const tokyo: CohortCalendar = { ...berlin, timezone: 'Asia/Tokyo' };
    const [inTokyo] = moduleWindows(course, tokyo);
    const [inBerlin] = moduleWindows(course, berlin);
    assert.equal(local(reminderAt(inTokyo!, tokyo, 48), 'Asia/Tokyo'), 'Sat 20 Mar 09:00');
    assert.notEqual(reminderAt(inTokyo!, tokyo, 48).getTime(), reminderAt(inBerlin!, berlin, 48).getTime());
  });

  it('send the latest open reminder once; after downtime skip the missed ones and mark it late; none once due', () => {
    const windows = moduleWindows(course, berlin);
    const before = planReminders(windows, berlin, 48, new Date('2027-03-20T07:59:00Z'), new Set());
    assert.deepEqual([before.send, before.skip], [undefined, []]);
    const onTime = planReminders(windows, berlin, 48, new Date('2027-03-20T08:00:30Z'), new Set());
    assert.deepEqual([onTime.send?.window.module.number, onTime.send?.late], [1, false]);
    const claimed = new Set([reminderPeriod(windows[0]!)]);
    assert.equal(planReminders(windows, berlin, 48, new Date('2027-03-20T09:00:00Z'), claimed).send, undefined, 'claimed: not again');
    // Down from before the first reminder to two days before module 3 is due: one reminder, late, the rest skipped.
    const back = planReminders(windows, berlin, 48, new Date('2027-04-03T12:00:00Z'), new Set());
    assert.deepEqual([back.send?.window.module.number, back.send?.late], [3, true]);
    assert.deepEqual(back.skip.map((w) => w.module.number), [1, 2]);
    // Back only after module 3 was due: nothing to remind of.
    const tooLate = planReminders(windows, berlin, 48, new Date('2027-04-05T08:00:00Z'), new Set());
    assert.equal(tooLate.send, undefined);
    assert.deepEqual(tooLate.skip.map((w) => w.module.number), [1, 2, 3]);
  });

  it('mention at most 25 and never someone who opted out', () => {
    const learners = Array.from({ length: 40 }, (_, i) => ({ id: i, remindersOptOut: i % 4 === 0 }));
    const { mentioned, more } = reminderMentions(learners);
    assert.equal(mentioned.length, MAX_REMINDER_MENTIONS);
    assert.equal(more, 30 - MAX_REMINDER_MENTIONS);
    assert.ok(mentioned.every((l) => !l.remindersOptOut));
  });
});
