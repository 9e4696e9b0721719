import type { Cohort } from '../../core/cohort.ts';
import { moduleLabel, type ContentLinks, type Course } from '../../core/course.ts';
import type { Nudge } from '../../core/nudges.ts';
import type { Reply } from '../reply.ts';
import { failingTestsLine } from './failing-tests.ts';
import { moduleLinks } from './module-view.ts';

/** The private nudge: what seems to be happening, the lecture to reread or the next step, and how to stop these. */
export function nudgeReply(nudge: Nudge, learner: { displayName: string }, cohort: Cohort, course: Course, links: ContentLinks): Reply {
  const footer = 'Just a nudge, at most one a week. /reminders off stops them.';
  if (nudge.kind === 'stuck') {
    const module = course.modules.find((m) => m.exercises.some((e) => e.id === nudge.exerciseId));
    const exercise = module?.exercises.find((e) => e.id === nudge.exerciseId);
    const failing = nudge.failing && failingTestsLine(nudge.failing);
    return {
      title: `Stuck on ${exercise?.title ?? nudge.exerciseId}?`,
      text:
        `Hi ${learner.displayName}, \`${nudge.exerciseId}\` has failed its CI check on your last ${nudge.commits} pushes.` +
        (failing ? `\nThe latest run: ${failing}.\n` : ' ') +
        `/progress shows what failed; the lectures of ${module ? moduleLabel(module) : 'its module'} cover what it builds on, and the ${cohort.name} channel can help.`,
      links: module ? moduleLinks(module, links).filter((link) => link.label.startsWith('Lecture') || link.label.startsWith(`Exercise: ${exercise?.title}`)) : [],
      footer,
      actions: [{ label: 'My progress', command: 'progress', style: 'primary' }],
      private: false,
    };
  }
  return {
    title: `How is it going, ${learner.displayName}?`,
    text: `No push and no pass for ${nudge.days} days, and exercises of ${cohort.name} are waiting for you. /next-module shows where to pick up; finishing late still counts.`,
    footer,
    actions: [{ label: 'My next step', command: 'next-module', style: 'primary' }],
    private: false,
  };
}
