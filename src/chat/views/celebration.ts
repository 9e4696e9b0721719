import type { Learner } from '../../core/cohort.ts';
import type { Course, Exercise } from '../../core/course.ts';
import type { Reply } from '../reply.ts';
import { progressBar } from './module-view.ts';

/** Titles listed in one celebration before "and N more". */
const LISTED = 5;

/**
 * The channel message for a learner's first passes found by one read of their repo: one message however many, so
 * linking a repo that already passes ten exercises posts one line, not ten. `firstLook`: the repo was just linked.
 */
export function celebrationReply(course: Course, learner: Learner, exercises: readonly Exercise[], doneCount: number, firstLook: boolean): Reply {
  const total = course.modules.reduce((sum, m) => sum + m.exercises.length, 0);
  const points = exercises.reduce((sum, e) => sum + e.points, 0);
  const [only] = exercises;
  const listed = exercises.slice(0, LISTED).map((e) => e.title).join(', ') + (exercises.length > LISTED ? ` and ${exercises.length - LISTED} more` : '');
  const title =
    exercises.length === 1 && only
      ? `🎉 ${learner.displayName} passed ${only.title}`
      : firstLook
        ? `🎉 ${learner.displayName} linked their repo: ${exercises.length} exercises already passing`
        : `🎉 ${learner.displayName} passed ${exercises.length} exercises`;
  return {
    title,
    text: `${exercises.length > 1 ? `${listed}\n` : ''}+${points} points · ${progressBar(doneCount, total)} exercises done`,
    footer: 'Counted from a passing CI check on their repo. /leaderboard shows where everyone stands.',
    tone: 'success',
    private: false,
  };
}
