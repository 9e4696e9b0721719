import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Learner } from '../../src/core/cohort.ts';
import type { Course } from '../../src/core/course.ts';
import { rankLearners, type Pass, type Standing } from '../../src/core/leaderboard.ts';
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

  it('gives the same standings as filtering every pass per learner, on a large random cohort', () => {
    // The per-learner filter the grouping replaced: quadratic, kept here as the reference for the results.
    const reference = (c: Course, people: readonly Learner[], passes: readonly Pass[]): Standing[] => {
      const points = new Map(c.modules.flatMap((m) => m.exercises).map((e) => [e.id, e.points]));
      const standings = people.map((l) => {
        const own = passes.filter((p) => p.learnerId === l.id && points.has(p.exerciseId));
        const reachedAt = own.reduce<Date | null>((latest, p) => (latest === null || p.firstPassedAt > latest ? p.firstPassedAt : latest), null);
        return { rank: 0, learner: l, points: own.reduce((sum, p) => sum + (points.get(p.exerciseId) ?? 0), 0), exercises: own.length, reachedAt };
      });
      const time = (s: Standing) => s.reachedAt?.getTime() ?? Infinity;
      standings.sort((a, b) => b.points - a.points || time(a) - time(b) || a.learner.displayName.localeCompare(b.learner.displayName));
      standings.forEach((s, i) => {
        const before = standings[i - 1];
        s.rank = before && before.points === s.points && time(before) === time(s) ? before.rank : i + 1;
      });
      return standings;
    };
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const people = Array.from({ length: 400 }, (_, i) => learner(i + 1, `L${random(150)}`));
    const ids = ['a', 'b', 'c', 'zz-not-in-course'];
    const passes: Pass[] = Array.from({ length: 700 }, () => ({ learnerId: random(450) + 1, exerciseId: ids[random(ids.length)]!, firstPassedAt: at(1 + random(5)) }));
    const summary = (s: Standing[]) => s.map((x) => [x.rank, x.learner.id, x.points, x.exercises, x.reachedAt?.getTime() ?? null]);
    assert.deepEqual(summary(rankLearners(course, people, passes)), summary(reference(course, people, passes)));
  });
});
