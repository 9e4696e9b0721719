import type { Exercise } from '../../core/course.ts';
import type { Reply } from '../reply.ts';

/** The direct message to a learner whose passing checks did not count, with each reason. */
export function notCountedReply(items: readonly { exercise: Exercise; detail: string }[]): Reply {
  const [only] = items;
  return {
    title: items.length === 1 && only ? `Your ${only.exercise.title} pass did not count` : `${items.length} passing checks did not count`,
    text: items.map((item) => `\`${item.exercise.id}\`: ${item.detail}`).join('\n'),
    footer: "Tests and the workflow must stay as the course ships them. /progress shows every exercise.",
    tone: 'warning',
    private: false,
  };
}
