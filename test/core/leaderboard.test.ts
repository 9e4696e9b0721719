import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Learner } from '../../src/core/cohort.ts';
import { rankLearners } from '../../src/core/leaderboard.ts';
import { tinyCourse } from '../helpers/tiny-course.ts';

const course = tinyCourse([{ exercises: ['a', 'b'] }, { exercises: ['c'] }]);
const learner = (id: number, displayName: string): Learner => ({
  id,
  cohortId: 1,
  platformUserId: `u${id}`,
  displayName,
  githubLogin: null,
  githubRepo: null,
  githubVerifiedAt: null,
  remindersOptOut: false,
  joinedAt: new Date('2026-12-01T00:00:00Z'),
});
const at = (day: number) => new Date(Date.UTC(2026, 11, day));

describe('the leaderboard', () => {
  it('orders by points, then by who reached them first; only exact ties share a rank', () => {
    const [ada, bob, cy, dee, eve] = [learner(1, 'Ada'), learner(2, 'Bob'), learner(3, 'Cy'), learner(4, 'Dee'), learner(5, 'Eve')];
    const standings = rankLearners(course, [ada!, bob!, cy!, dee!, eve!], [
      { learnerId: 1, exerciseId: 'a', firstPassedAt: at(3) },
      { learnerId: 2, exerciseId: 'a', firstPassedAt: at(1) },
      { learnerId: 2, exerciseId: 'b', firstPassedAt: at(2) },
      { learnerId: 3, exerciseId: 'b', firstPassedAt: at(3) },
      { learnerId: 5, exerciseId: 'zz-not-in-course', firstPassedAt: at(1) },
    ]);
    const exercisePoints = course.modules[0]!.exercises[0]!.points;
    assert.deepEqual(
      standings.map((s) => [s.rank, s.learner.displayName, s.points, s.exercises]),
      [
        [1, 'Bob', exercisePoints * 2, 2],
        [2, 'Ada', exercisePoints, 1],
        [2, 'Cy', exercisePoints, 1],
        [4, 'Dee', 0, 0],
        [4, 'Eve', 0, 0],
      ],
    );
  });
});
