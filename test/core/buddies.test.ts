import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairBuddies, pairsOf } from '../../src/core/buddies.ts';

describe('study buddies', () => {
  for (const count of [1, 2, 3, 7, 20]) {
    it(`groups ${count} learner${count === 1 ? '' : 's'} in pairs (a trio when odd), everyone once, no repeats across four rounds while possible`, () => {
      const learners = Array.from({ length: count }, (_, i) => i + 1);
      const history = new Set<string>();
      for (let round = 1; round <= 4; round++) {
        const groups = pairBuddies(learners, history, 1000 + round);
        if (count < 2) {
          assert.deepEqual(groups, []);
          continue;
        }
        assert.deepEqual(groups.flat().sort((a, b) => a - b), learners, 'everyone exactly once');
        assert.ok(groups.every((g) => g.length === 2 || g.length === 3));
        assert.equal(groups.filter((g) => g.length === 3).length, count % 2);
        const pairs = pairsOf(groups);
        // 20 learners have 19 others each: four rounds of new partners are always possible.
        if (count === 20) assert.deepEqual([...pairs].filter((key) => history.has(key)), [], `round ${round} repeats`);
        for (const key of pairs) history.add(key);
      }
    });
  }

  it('is reproducible from its seed', () => {
    const learners = [4, 8, 15, 16, 23, 42];
    assert.deepEqual(pairBuddies(learners, new Set(), 7), pairBuddies(learners, new Set(), 7));
  });
});
