import { formatInZone } from '../../core/calendar.ts';
import type { Cohort } from '../../core/cohort.ts';
import { moduleLabel, type ContentLinks } from '../../core/course.ts';
import type { ModuleWindow } from '../../core/schedule.ts';
import type { Reply } from '../reply.ts';
import { exerciseLines, moduleLinks } from './module-view.ts';

/** The channel post that opens a module: what to read, what to build, by when. */
export function assignmentReply(window: ModuleWindow, cohort: Cohort, links: ContentLinks): Reply {
  const { module } = window;
  return {
    title: `${moduleLabel(module)} starts now`,
    text: `${module.summary}\n\nRead the lectures, then build the exercises; each counts as done when its CI check passes in your repo.`,
    fields: [
      { name: 'Exercises', value: exerciseLines(module) },
      { name: 'Due', value: formatInZone(window.dueAt, cohort.timezone), inline: true },
      { name: 'Length', value: `${module.weeks} week${module.weeks === 1 ? '' : 's'}`, inline: true },
    ],
    links: moduleLinks(module, links),
    footer: 'Type /next-module for your own next step.',
    // Answered privately to whoever clicks: the post is for everyone, the answer for one.
    actions: [
      { label: 'My next step', command: 'next-module', style: 'primary' },
      { label: 'Leaderboard', command: 'leaderboard' },
    ],
    private: false,
  };
}
