import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Settings } from 'luxon';
import { formatDayInZone, formatInZone, parseClockTime, parseDate, parsePostTime, parseTimezone } from '../../src/core/calendar.ts';
import type { Result } from '../../src/core/result.ts';

// Month and weekday names depend on the locale; pin it so the formatting tests mean the same everywhere.
Settings.defaultLocale = 'en-US';

function valueOf<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`expected ok, got error: ${result.error}`);
  return result.value;
}

function errorOf(result: Result<unknown>): string {
  if (result.ok) assert.fail(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('parseDate', () => {
  it('GIVEN a real YYYY-MM-DD date THEN it is returned trimmed', () => {
    assert.equal(valueOf(parseDate('2026-12-07')), '2026-12-07');
    assert.equal(valueOf(parseDate('  2026-12-07 ')), '2026-12-07');
    assert.equal(valueOf(parseDate('2028-02-29')), '2028-02-29');
  });

  it('GIVEN a real date no cohort can use (year 0000 or 9999) THEN it is refused', () => {
    assert.match(errorOf(parseDate('0000-01-01')), /not a date a cohort can use: pick one between 2000 and 2100/);
    assert.match(errorOf(parseDate('9999-12-31')), /between 2000 and 2100/);
  });

  it('GIVEN another format THEN the error shows the expected format', () => {
    for (const text of ['07.12.2026', '2026-12-7', '2026/12/07', '12/07/2026', '2026-12-07T09:00', 'tomorrow', '']) {
      assert.match(errorOf(parseDate(text)), /YYYY-MM-DD/, text);
    }
  });

  it('GIVEN a well-formed date that does not exist THEN it is refused as not a real date', () => {
    assert.match(errorOf(parseDate('2026-02-30')), /2026-02-30 is not a real calendar date/);
    assert.match(errorOf(parseDate('2026-02-29')), /not a real calendar date/);
    assert.match(errorOf(parseDate('2026-13-01')), /not a real calendar date/);
    assert.match(errorOf(parseDate('2026-04-31')), /not a real calendar date/);
  });
});

describe('parseClockTime', () => {
  it('GIVEN H:MM or HH:MM THEN it returns zero-padded HH:MM', () => {
    assert.equal(valueOf(parseClockTime('9:00')), '09:00');
    assert.equal(valueOf(parseClockTime('09:05')), '09:05');
    assert.equal(valueOf(parseClockTime(' 23:59 ')), '23:59');
    assert.equal(valueOf(parseClockTime('0:00')), '00:00');
  });

  it('GIVEN an hour or minute out of range THEN it is not a valid time of day', () => {
    assert.match(errorOf(parseClockTime('24:00')), /24:00 is not a valid time of day/);
    assert.match(errorOf(parseClockTime('09:60')), /not a valid time of day/);
    assert.match(errorOf(parseClockTime('99:99')), /not a valid time of day/);
  });

  it('GIVEN text that is not HH:MM THEN the error shows the expected format', () => {
    for (const text of ['9', '9:5', '09:00am', '9.00', '123:00', 'noon', '']) {
      assert.match(errorOf(parseClockTime(text)), /HH:MM/, text);
    }
  });
});

describe('parsePostTime', () => {
  it('GIVEN a weekday abbreviation and a time THEN it returns the ISO weekday and HH:MM', () => {
    assert.deepEqual(valueOf(parsePostTime('Mon 09:00')), { weekday: 1, time: '09:00' });
    assert.deepEqual(valueOf(parsePostTime('sun 23:59')), { weekday: 7, time: '23:59' });
    assert.deepEqual(valueOf(parsePostTime('  WED   18:30 ')), { weekday: 3, time: '18:30' });
  });

  it('GIVEN a full weekday name and an unpadded hour THEN it is understood', () => {
    assert.deepEqual(valueOf(parsePostTime('monday 9:30')), { weekday: 1, time: '09:30' });
    assert.deepEqual(valueOf(parsePostTime('Thursday 7:05')), { weekday: 4, time: '07:05' });
    assert.deepEqual(valueOf(parsePostTime('Sat 0:00')), { weekday: 6, time: '00:00' });
  });

  it('GIVEN a word that is not a weekday THEN the error shows the expected form', () => {
    assert.match(errorOf(parsePostTime('Funday 09:00')), /not a weekly post time.*Mon 09:00/);
    assert.match(errorOf(parsePostTime('Mo 09:00')), /not a weekly post time/);
    assert.match(errorOf(parsePostTime('09:00')), /not a weekly post time/);
    assert.match(errorOf(parsePostTime('')), /not a weekly post time/);
  });

  it('GIVEN a weekday without a time THEN it is refused', () => {
    assert.match(errorOf(parsePostTime('Mon')), /HH:MM/);
  });

  it('GIVEN a bad time THEN the clock-time error is returned', () => {
    assert.match(errorOf(parsePostTime('Mon 24:00')), /not a valid time of day/);
  });

  it('GIVEN words after the time THEN it is refused', () => {
    assert.match(errorOf(parsePostTime('Mon 09:00 extra')), /not a weekly post time/);
  });

  it(
    'GIVEN a word that merely starts like a weekday THEN it is refused',
    () => {
      assert.equal(parsePostTime('Monkey 09:00').ok, false);
      assert.equal(parsePostTime('Sunny 10:00').ok, false);
      assert.equal(parsePostTime('Wedding 12:00').ok, false);
    },
  );
});

describe('parseTimezone', () => {
  it('GIVEN an IANA zone THEN it is returned trimmed', () => {
    assert.equal(valueOf(parseTimezone('Europe/Berlin')), 'Europe/Berlin');
    assert.equal(valueOf(parseTimezone(' America/New_York ')), 'America/New_York');
    assert.equal(valueOf(parseTimezone('UTC')), 'UTC');
  });

  it('GIVEN an unknown zone THEN the error names it and suggests IANA names', () => {
    const error = errorOf(parseTimezone('Mars/Olympus'));
    assert.match(error, /"Mars\/Olympus" is not a timezone/);
    assert.match(error, /IANA/);
    assert.equal(parseTimezone('').ok, false);
  });
});

describe('formatInZone', () => {
  it('shows the instant as local wall-clock time with the zone, in winter and in summer', () => {
    // en-US has no short name for Central European Time, so Intl gives the offset; CET/CEST would be fine too.
    assert.match(formatInZone(new Date('2026-01-05T08:00:00Z'), 'Europe/Berlin'), /^Mon 5 Jan 2026, 09:00 (GMT\+1|CET)$/);
    assert.match(formatInZone(new Date('2026-07-06T07:00:00Z'), 'Europe/Berlin'), /^Mon 6 Jul 2026, 09:00 (GMT\+2|CEST)$/);
    assert.equal(formatInZone(new Date('2026-01-05T14:00:00Z'), 'America/New_York'), 'Mon 5 Jan 2026, 09:00 EST');
    assert.equal(formatInZone(new Date('2026-07-06T13:00:00Z'), 'America/New_York'), 'Mon 6 Jul 2026, 09:00 EDT');
  });

  it('answers again from memory the same as the first time: per zone, per format, and past the memory\'s size', () => {
    const instant = new Date('2026-01-05T14:00:00Z');
    for (let round = 0; round < 2; round += 1) {
      assert.equal(formatInZone(instant, 'America/New_York'), 'Mon 5 Jan 2026, 09:00 EST');
      assert.equal(formatInZone(instant, 'Asia/Tokyo'), 'Mon 5 Jan 2026, 23:00 GMT+9');
      assert.equal(formatDayInZone(instant, 'Asia/Tokyo'), 'Mon 5 Jan 2026');
      assert.equal(parseTimezone('Mars/Olympus').ok, false, 'an unknown zone is not remembered as valid');
      assert.equal(parseTimezone('Asia/Tokyo').ok, true);
    }
    for (let minute = 0; minute < 1_500; minute += 1) formatInZone(new Date(instant.getTime() + minute * 60_000), 'UTC');
    assert.equal(formatInZone(instant, 'America/New_York'), 'Mon 5 Jan 2026, 09:00 EST');
  });

  it('GIVEN an instant whose local date differs from its UTC date THEN the local date is shown', () => {
    assert.match(formatInZone(new Date('2026-12-31T20:00:00Z'), 'Pacific/Auckland'), /^Fri 1 Jan 2027, 09:00 /);
    assert.match(formatInZone(new Date('2027-01-01T01:00:00Z'), 'America/New_York'), /^Thu 31 Dec 2026, 20:00 EST$/);
  });
});
