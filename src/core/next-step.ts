import type { Exercise } from './course.ts';
import { isReleased, type ModuleWindow } from './schedule.ts';

/** One exercise with whether this learner has it done. */
export interface ExerciseMark {
  exercise: Exercise;
  done: boolean;
}

/**
 * What a learner should do now. Decided from the timetable and their finished exercises alone, so that
 * `/next-module`, reminders and the weekly digest all give the same answer.
 */
export type NextStep =
  /** Work on this released module: it is the earliest one with unfinished exercises. */
  | { kind: 'work'; window: ModuleWindow; marks: ExerciseMark[]; overdue: boolean }
  /** Everything released is done (or nothing is released yet); `window` is the next module to come. */
  | { kind: 'wait'; window: ModuleWindow; doneSoFar: number }
  /** Every exercise of the course is done. */
  | { kind: 'finished'; exercisesDone: number };

export function markExercises(window: ModuleWindow, done: ReadonlySet<string>): ExerciseMark[] {
  return window.module.exercises.map((exercise) => ({ exercise, done: done.has(exercise.id) }));
}

function countDone(windows: readonly ModuleWindow[], done: ReadonlySet<string>): number {
  return windows.flatMap((w) => w.module.exercises).filter((exercise) => done.has(exercise.id)).length;
}

export function nextStep(windows: readonly ModuleWindow[], done: ReadonlySet<string>, now: Date): NextStep {
  for (const window of windows) {
    if (!isReleased(window, now)) {
      return { kind: 'wait', window, doneSoFar: countDone(windows, done) };
    }
    const marks = markExercises(window, done);
    if (marks.some((mark) => !mark.done)) {
      return { kind: 'work', window, marks, overdue: window.dueAt.getTime() <= now.getTime() };
    }
  }
  return { kind: 'finished', exercisesDone: countDone(windows, done) };
}
