import type { Learner } from '../../core/cohort.ts';
import type { Course, Exercise } from '../../core/course.ts';
import type { Reply } from '../reply.ts';
import { progressBar } from './module-view.ts';

/** The channel message for a learner's first pass of an exercise. */
export function celebrationReply(course: Course, learner: Learner, exercise: Exercise, doneCount: number): Reply {
  const total = course.modules.reduce((sum, m) => sum + m.exercises.length, 0);
  return {
    title: `🎉 ${learner.displayName} passed ${exercise.title}`,
    text: `+${exercise.points} points · ${progressBar(doneCount, total)} exercises done`,
    footer: 'Counted from a passing CI check on their repo. /leaderboard shows where everyone stands.',
    tone: 'success',
    private: false,
  };
}
