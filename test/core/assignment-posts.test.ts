import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignmentPeriod, planAssignmentPosts } from '../../src/core/assignment-posts.ts';
import { moduleWindows } from '../../src/core/schedule.ts';
import { tinyCourse } from '../helpers/tiny-course.ts';

// Weekly modules released Mondays 09:00 UTC: 2026-01-05, 01-12, 01-19.
const windows = moduleWindows(tinyCourse([{}, {}, {}]), { startDate: '2026-01-05', timezone: 'UTC', postWeekday: 1, postTime: '09:00' });
const at = (iso: string) => new Date(iso);

describe('planAssignmentPosts', () => {
  it('posts nothing before the first release', () => {
    assert.deepEqual(planAssignmentPosts(windows, at('2026-01-05T08:59:00Z'), new Set()), { post: undefined, skip: [] });
  });

  it('posts a module at its release, once', () => {
    const plan = planAssignmentPosts(windows, at('2026-01-05T09:00:00Z'), new Set());
    assert.equal(plan.post?.module.number, 1);
    assert.equal(assignmentPeriod(plan.post!), 'module-01');
    assert.deepEqual(planAssignmentPosts(windows, at('2026-01-05T09:01:00Z'), new Set(['module-01'])).post, undefined);
  });

  it('after downtime posts only the current module and skips the missed ones', () => {
    const plan = planAssignmentPosts(windows, at('2026-01-20T12:00:00Z'), new Set(['module-01']));
    assert.equal(plan.post?.module.number, 3);
    assert.deepEqual(plan.skip.map((w) => w.module.number), [2]);
  });

  it('skips older unclaimed modules even when the current one was posted by hand', () => {
    const plan = planAssignmentPosts(windows, at('2026-01-13T12:00:00Z'), new Set(['module-02']));
    assert.equal(plan.post, undefined);
    assert.deepEqual(plan.skip.map((w) => w.module.number), [1]);
  });
});
