import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tinyCourse } from '../helpers/tiny-course.ts';
import { markExercises, nextStep } from '../../src/core/next-step.ts';
import { moduleWindows } from '../../src/core/schedule.ts';

/** One-week modules with the given exercise ids each. */
const courseWith = (exerciseIds: string[][]) => tinyCourse(exerciseIds.map((exercises) => ({ exercises })));

// Releases (UTC, Mondays 09:00): module 1 on 2026-01-05, module 2 on 01-12, module 3 on 01-19; module 3 due 01-26.
const course = courseWith([['ex1a', 'ex1b'], ['ex2a'], ['ex3a']]);
const windows = moduleWindows(course, { startDate: '2026-01-05', timezone: 'UTC', postWeekday: 1, postTime: '09:00' });
const at = (iso: string) => new Date(iso);
const done = (...ids: string[]) => new Set(ids);

describe('nextStep', () => {
  it('GIVEN a cohort that has not started THEN the learner waits for module 1', () => {
    const step = nextStep(windows, done(), at('2026-01-05T08:59:59.999Z'));
    assert.ok(step.kind === 'wait', step.kind);
    assert.equal(step.window.module.number, 1);
    assert.equal(step.doneSoFar, 0);
  });

  it('GIVEN module 1 released and unfinished THEN the learner works on module 1, not overdue', () => {
    const step = nextStep(windows, done('ex1a'), at('2026-01-05T09:00:00Z'));
    assert.ok(step.kind === 'work', step.kind);
    assert.equal(step.window.module.number, 1);
    assert.equal(step.overdue, false);
    assert.deepEqual(
      step.marks.map((m) => [m.exercise.id, m.done]),
      [
        ['ex1a', true],
        ['ex1b', false],
      ],
    );
  });

  it('GIVEN module 2 released but module 1 unfinished THEN the earliest unfinished module wins and it is overdue', () => {
    const step = nextStep(windows, done('ex1a', 'ex2a'), at('2026-01-13T12:00:00Z'));
    assert.ok(step.kind === 'work', step.kind);
    assert.equal(step.window.module.number, 1);
    assert.equal(step.overdue, true);
  });

  it('GIVEN the due date THEN overdue turns true exactly at it', () => {
    const due = windows[0]!.dueAt.getTime();
    const before = nextStep(windows, done(), new Date(due - 1));
    const atDue = nextStep(windows, done(), new Date(due));
    assert.ok(before.kind === 'work' && atDue.kind === 'work');
    assert.equal(before.overdue, false);
    assert.equal(atDue.overdue, true);
  });

  it('GIVEN module 1 done and module 2 released THEN the learner works on module 2', () => {
    const step = nextStep(windows, done('ex1a', 'ex1b'), at('2026-01-12T09:00:00Z'));
    assert.ok(step.kind === 'work', step.kind);
    assert.equal(step.window.module.number, 2);
    assert.equal(step.overdue, false);
  });

  it('GIVEN everything released is done THEN the learner waits for the next module, counting only course exercises', () => {
    const step = nextStep(windows, done('ex1a', 'ex1b', 'ex2a', 'ex99-unknown', 'other'), at('2026-01-15T00:00:00Z'));
    assert.ok(step.kind === 'wait', step.kind);
    assert.equal(step.window.module.number, 3);
    assert.equal(step.doneSoFar, 3);
  });

  it('GIVEN an exercise of an unreleased module already done THEN it counts in doneSoFar', () => {
    const step = nextStep(windows, done('ex1a', 'ex1b', 'ex3a'), at('2026-01-06T00:00:00Z'));
    assert.ok(step.kind === 'wait', step.kind);
    assert.equal(step.window.module.number, 2);
    assert.equal(step.doneSoFar, 3);
  });

  it('GIVEN every exercise done THEN the learner is finished, with unknown ids ignored in the count', () => {
    const step = nextStep(windows, done('ex1a', 'ex1b', 'ex2a', 'ex3a', 'stray'), at('2026-01-20T00:00:00Z'));
    assert.deepEqual(step, { kind: 'finished', exercisesDone: 4 });
    assert.deepEqual(nextStep(windows, done('ex1a', 'ex1b', 'ex2a', 'ex3a'), at('2027-01-01T00:00:00Z')), {
      kind: 'finished',
      exercisesDone: 4,
    });
  });

  it('GIVEN the course is over with one exercise left THEN the learner still works on it, overdue', () => {
    const step = nextStep(windows, done('ex1a', 'ex1b', 'ex2a'), at('2027-01-01T00:00:00Z'));
    assert.ok(step.kind === 'work', step.kind);
    assert.equal(step.window.module.number, 3);
    assert.equal(step.overdue, true);
  });

  it('GIVEN a released module without exercises THEN it is skipped', () => {
    const gapCourse = courseWith([['a'], [], ['c']]);
    const ws = moduleWindows(gapCourse, { startDate: '2026-01-05', timezone: 'UTC', postWeekday: 1, postTime: '09:00' });
    const waiting = nextStep(ws, done('a'), at('2026-01-13T00:00:00Z'));
    assert.ok(waiting.kind === 'wait', waiting.kind);
    assert.equal(waiting.window.module.number, 3);
    const working = nextStep(ws, done('a'), at('2026-01-19T09:00:00Z'));
    assert.ok(working.kind === 'work', working.kind);
    assert.equal(working.window.module.number, 3);
  });
});

describe('markExercises', () => {
  it('marks each exercise of the module, in order, as done when its id is in the done set', () => {
    const marks = markExercises(windows[0]!, done('ex1b', 'ex2a', 'stray'));
    assert.deepEqual(
      marks.map((m) => ({ id: m.exercise.id, done: m.done })),
      [
        { id: 'ex1a', done: false },
        { id: 'ex1b', done: true },
      ],
    );
    assert.equal(marks[0]!.exercise, course.modules[0]!.exercises[0]);
  });

  it('GIVEN nothing done THEN every mark is not done', () => {
    assert.deepEqual(
      markExercises(windows[1]!, done()).map((m) => m.done),
      [false],
    );
  });
});
