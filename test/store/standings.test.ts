import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Cohort } from '../../src/core/cohort.ts';
import { compareStandings, sameRank, scoreLearner, scoringPlan } from '../../src/core/scoring.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { realCourse } from '../helpers/test-services.ts';

const course = realCourse();
const exercises = course.modules.flatMap((m) => m.exercises.map((e) => e.id));
const NOW = new Date('2027-03-01T12:00:00Z');

function cohortIn(store: Store, channelId = 'c'): Cohort {
  return store.cohorts.create(
    { platform: 'discord', workspaceId: 'g', channelId, name: 'Big', startDate: '2026-12-07', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' },
    new Date('2026-12-01T00:00:00Z'),
  );
}

function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

describe('the stored board', () => {
  it('ranks 10,000 learners exactly as a straightforward reference does, on seeded random passes', () => {
    const store = openStore(path.join(tempDir(), 'board.db'));
    const cohort = cohortIn(store);
    const random = seeded(7);
    const passes = new Map<number, { exerciseId: string; firstPassedAt: Date }[]>();
    const ids: number[] = [];
    store.transaction(() => {
      for (let i = 0; i < 10_000; i++) {
        const { learner } = store.learners.join(cohort.id, `u${i}`, `Learner ${i}`, NOW);
        ids.push(learner.id);
        const mine: { exerciseId: string; firstPassedAt: Date }[] = [];
        for (const exerciseId of exercises) {
          if (random(3) !== 0) continue;
          // Coarse times (whole days) so that exact ties happen and must share ranks.
          const at = new Date(Date.UTC(2026, 11, 7 + random(80), 12));
          store.results.record({ learnerId: learner.id, exerciseId, status: 'passed', commit: 'c', detail: null }, at);
          mine.push({ exerciseId, firstPassedAt: at });
        }
        passes.set(learner.id, mine);
      }
    });
    const plan = scoringPlan(course, cohort);
    const reference = ids
      .map((learnerId) => ({ learnerId, ...scoreLearner(passes.get(learnerId) ?? [], plan) }))
      .sort(compareStandings);
    const ranks = new Map<number, number>();
    reference.forEach((row, i) => ranks.set(row.learnerId, i > 0 && sameRank(reference[i - 1]!, row) ? ranks.get(reference[i - 1]!.learnerId)! : i + 1));

    const board = store.standings.board(cohort, course, NOW, { top: 50 });
    assert.deepEqual(
      board.top.map((s) => [s.learnerId, s.rank, s.points, s.bonus, s.exercises, s.modulesFinished]),
      reference.slice(0, 50).map((r) => [r.learnerId, ranks.get(r.learnerId), r.points, r.bonus, r.exercises, r.modulesFinished]),
    );
    assert.equal(board.total, 10_000);
    assert.equal(board.scored, reference.filter((r) => r.points > 0).length);
    for (let k = 0; k < 300; k++) {
      const learnerId = ids[random(ids.length)]!;
      assert.equal(store.standings.board(cohort, course, NOW, { top: 0, learnerId }).learner?.rank, ranks.get(learnerId), `learner ${learnerId}`);
    }
    store.close();
  });

  it('scores a new first pass on the next read, and everyone again when the schedule moves', () => {
    const store = openStore(path.join(tempDir(), 'fresh.db'));
    const cohort = cohortIn(store);
    const ada = store.learners.join(cohort.id, 'ada', 'Ada', NOW).learner;
    const bob = store.learners.join(cohort.id, 'bob', 'Bob', NOW).learner;
    const first = course.modules[0]!.exercises[0]!;
    assert.equal(store.standings.board(cohort, course, NOW, { top: 10 }).scored, 0);
    // Passed in week 1, well before module 01 is due.
    store.results.record({ learnerId: ada.id, exerciseId: first.id, status: 'passed', commit: 'c', detail: null }, new Date('2026-12-08T10:00:00Z'));
    let board = store.standings.board(cohort, course, NOW, { top: 10 });
    assert.deepEqual(board.top.map((s) => [s.displayName, s.rank, s.points]), [['Ada', 1, first.points + Math.round(first.points * 0.2)], ['Bob', 2, 0]]);
    // A failure later takes nothing away.
    store.results.record({ learnerId: ada.id, exerciseId: first.id, status: 'failed', commit: 'd', detail: null }, NOW);
    assert.equal(store.standings.board(cohort, course, NOW, { top: 1 }).top[0]?.points, board.top[0]?.points);
    // The cohort started a year earlier: the same pass is now late, and the stored score follows.
    board = store.standings.board({ ...cohort, startDate: '2025-12-01' }, course, NOW, { top: 10, learnerId: bob.id });
    assert.equal(board.top[0]?.points, first.points);
    assert.equal(board.learner?.rank, 2);
    store.close();
  });

  it('reads a board again after any write, by the bot or another connection, and for another plan', () => {
    const databasePath = path.join(tempDir(), 'cached.db');
    const store = openStore(databasePath);
    const cohort = cohortIn(store);
    const ada = store.learners.join(cohort.id, 'ada', 'Ada', NOW).learner;
    const [first, second] = course.modules[0]!.exercises;
    const points = () => store.standings.board(cohort, course, NOW, { top: 10 }).top[0]?.points;
    assert.equal(points(), 0);
    assert.equal(points(), 0, 'read again unchanged');
    store.results.record({ learnerId: ada.id, exerciseId: first!.id, status: 'passed', commit: 'c', detail: null }, new Date('2027-02-01T10:00:00Z'));
    assert.equal(points(), first!.points, 'a pass recorded by the bot shows at once');
    const other = openStore(databasePath);
    other.results.record({ learnerId: ada.id, exerciseId: second!.id, status: 'passed', commit: 'c', detail: null }, new Date('2027-02-01T10:00:00Z'));
    other.close();
    assert.equal(points(), first!.points + second!.points, 'a pass written by another connection shows at once');
    const early = store.standings.board({ ...cohort, startDate: '2027-01-25' }, course, NOW, { top: 10 }).top[0]?.points;
    assert.notEqual(early, first!.points + second!.points, 'another plan is another board');
    store.close();
  });

  it('leaves an excluded learner off the board and brings them back', () => {
    const store = openStore(path.join(tempDir(), 'excluded.db'));
    const cohort = cohortIn(store);
    const coach = store.learners.join(cohort.id, 'coach', 'Coach', NOW).learner;
    store.learners.join(cohort.id, 'ada', 'Ada', NOW);
    store.results.record({ learnerId: coach.id, exerciseId: exercises[0]!, status: 'passed', commit: 'c', detail: null }, NOW);
    assert.equal(store.standings.board(cohort, course, NOW, { top: 10 }).top[0]?.displayName, 'Coach');
    assert.equal(store.standings.setExcluded(cohort.id, coach.id, true), true);
    const without = store.standings.board(cohort, course, NOW, { top: 10, learnerId: coach.id });
    assert.deepEqual(without.top.map((s) => s.displayName), ['Ada']);
    assert.equal(without.learner, undefined);
    assert.deepEqual([without.total, without.scored], [1, 0]);
    assert.equal(store.standings.setExcluded(cohort.id, coach.id, false), true);
    assert.equal(store.standings.board(cohort, course, NOW, { top: 10 }).top[0]?.displayName, 'Coach');
    assert.equal(store.standings.setExcluded(cohortIn(store, 'other').id, coach.id, true), false, 'not a learner of that cohort');
    store.close();
  });
});
