import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReadOrder } from '../../src/github/read-order.ts';

describe('the order of reads of one repo', () => {
  it('drops a snapshot when a read of that repo that started later was recorded first', () => {
    const order = createReadOrder();
    const poll = order.begin(); // a slow poll starts reading
    const webhook = order.begin(); // a webhook sync starts after it, and finishes first
    assert.equal(order.mayRecord('Ada/Course', webhook), true);
    assert.equal(order.mayRecord('ada/course', poll), false, 'the older read never overwrites the newer verdict');
    assert.equal(order.mayRecord('bob/course', poll), true, 'other repos are not affected');
  });

  it('records reads that finish in the order they started', () => {
    const order = createReadOrder();
    const first = order.begin();
    const second = order.begin();
    assert.equal(order.mayRecord('ada/course', first), true);
    assert.equal(order.mayRecord('ada/course', second), true);
    assert.equal(order.mayRecord('ada/course', second), true, 'one read may record several learners of a repo');
  });
});
