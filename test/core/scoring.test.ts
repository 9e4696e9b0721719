import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CohortCalendar } from '../../src/core/cohort.ts';
import { compareStandings, planKey, sameRank, scoreLearner, scoringPlan, weeklyStreak } from '../../src/core/scoring.ts';
import { moduleWindows } from '../../src/core/schedule.ts';
import { tinyCourse } from '../helpers/tiny-course.ts';

// Mondays 09:00 in Berlin from 15 March 2027; summer time starts Sunday 28 March, between module 2's release and due.
const berlin: CohortCalendar = { startDate: '2027-03-15', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' };
const course = tinyCourse([{ exercises: ['a'] }, { exercises: ['b', 'c'] }, { exercises: ['d'] }]);
const plan = scoringPlan(course, berlin);
const pass = (exerciseId: string, iso: string) => ({ exerciseId, firstPassedAt: new Date(iso) });

describe('scoring', () => {
  it('due instants follow the cohort’s clock across the DST change', () => {
    const [, second] = moduleWindows(course, berlin);
    assert.equal(second?.dueAt.toISOString(), '2027-03-29T07:00:00.000Z', '09:00 summer time');
    assert.equal(plan.exercises.get('b')?.dueAt.toISOString(), '2027-03-29T07:00:00.000Z');
  });

  it('gives the 20% bonus to a first pass strictly before the due instant, not at it', () => {
    assert.deepEqual(scoreLearner([pass('b', '2027-03-29T06:59:59.999Z')], plan), { points: 12, bonus: 2, exercises: 1, modulesFinished: 0, reachedAt: new Date('2027-03-29T06:59:59.999Z') });
    assert.equal(scoreLearner([pass('b', '2027-03-29T07:00:00.000Z')], plan).bonus, 0);
    // 07:30Z is before 09:00 winter time, but the clocks moved: it is 09:30 in Berlin, late.
    assert.equal(scoreLearner([pass('b', '2027-03-29T07:30:00.000Z')], plan).points, 10);
  });

  it('counts finished modules and ignores exercises no longer in the course', () => {
    const score = scoreLearner([pass('a', '2027-03-16T10:00:00Z'), pass('b', '2027-04-10T10:00:00Z'), pass('gone', '2027-03-16T10:00:00Z')], plan);
    assert.deepEqual([score.points, score.bonus, score.exercises, score.modulesFinished], [22, 2, 2, 1]);
    assert.equal(score.reachedAt?.toISOString(), '2027-04-10T10:00:00.000Z', 'the latest counted pass');
    assert.deepEqual(scoreLearner([pass('gone', '2027-03-16T10:00:00Z')], plan), { points: 0, bonus: 0, exercises: 0, modulesFinished: 0, reachedAt: null });
  });

  it('changes the plan key when points or due instants change', () => {
    assert.equal(planKey(plan), planKey(scoringPlan(course, berlin)));
    assert.notEqual(planKey(plan), planKey(scoringPlan(course, { ...berlin, timezone: 'Europe/London' })));
    const richer = tinyCourse([{ exercises: ['a'] }, { exercises: ['b', 'c'] }, { exercises: ['d'] }]);
    richer.modules[0]!.exercises[0]!.points = 30;
    assert.notEqual(planKey(plan), planKey(scoringPlan(richer, berlin)));
  });
});

describe('weekly streak', () => {
  // Cohort weeks start Mondays 09:00 Berlin: week 1 from 15 March, week 2 from 22 March, …
  const week = (n: number, day = 1) => new Date(Date.UTC(2027, 2, 15 + (n - 1) * 7 + day, 12));
  it('counts consecutive weeks with a first pass, up to now', () => {
    assert.equal(weeklyStreak([week(1), week(2), week(3)], berlin, week(3, 3)), 3);
    assert.equal(weeklyStreak([week(1), week(3)], berlin, week(3, 3)), 1, 'week 2 broke it');
  });
  it('lets the week in progress extend a streak but not break it', () => {
    assert.equal(weeklyStreak([week(1), week(2)], berlin, week(3, 1)), 2, 'week 3 has only begun');
    assert.equal(weeklyStreak([week(1), week(2)], berlin, week(4, 1)), 0, 'week 3 passed without a pass');
  });
  it('counts a pass before the first release in week 1, several passes in one week once, and nothing from the future', () => {
    assert.equal(weeklyStreak([new Date('2027-03-10T10:00:00Z'), week(2), week(2, 2)], berlin, week(2, 4)), 2);
    assert.equal(weeklyStreak([week(5)], berlin, week(2, 2)), 0);
    assert.equal(weeklyStreak([], berlin, week(2)), 0);
  });
});

describe('board order', () => {
  it('ranks by points, then who reached them first, then who joined first; exact ties share a rank', () => {
    const early = new Date('2027-03-20T10:00:00Z');
    const late = new Date('2027-03-21T10:00:00Z');
    const rows = [
      { learnerId: 1, points: 10, reachedAt: late },
      { learnerId: 2, points: 10, reachedAt: early },
      { learnerId: 3, points: 20, reachedAt: late },
      { learnerId: 4, points: 0, reachedAt: null },
      { learnerId: 5, points: 10, reachedAt: early },
    ].sort(compareStandings);
    assert.deepEqual(rows.map((r) => r.learnerId), [3, 2, 5, 1, 4]);
    assert.ok(sameRank(rows[1]!, rows[2]!));
    assert.ok(!sameRank(rows[2]!, rows[3]!));
  });
});
