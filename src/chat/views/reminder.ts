import { formatInZone } from '../../core/calendar.ts';
import type { Cohort, Learner } from '../../core/cohort.ts';
import { moduleLabel, type ContentLinks } from '../../core/course.ts';
import type { ModuleWindow } from '../../core/schedule.ts';
import type { Reply } from '../reply.ts';
import { moduleLinks } from './module-view.ts';

export interface ReminderFacts {
  window: ModuleWindow;
  /** Learners who have passed every exercise of the module, of all learners. */
  finished: number;
  learners: number;
  /** Learners with unfinished exercises who did not opt out, at most the cap; `more` counts the rest. */
  mentioned: Learner[];
  more: number;
  /** Sent after its time (the bot was down). */
  late: boolean;
}

/** The due-date reminder in the cohort channel: what is due and when, how many are done, who still has work. */
export function reminderReply(facts: ReminderFacts, cohort: Cohort, links: ContentLinks): Reply {
  const { window, finished, learners, mentioned, more, late } = facts;
  const who = mentioned.length === 0 ? '' : `\n\nStill open for: ${mentioned.map((l) => l.displayName).join(', ')}${more > 0 ? ` and ${more} more` : ''}.`;
  return {
    title: `⏰ ${moduleLabel(window.module)} is due ${formatInZone(window.dueAt, cohort.timezone)}`,
    text: `${finished} of ${learners} learner${learners === 1 ? ' has' : 's have'} finished it.${who}`,
    mentions: mentioned.map((l) => l.platformUserId),
    links: moduleLinks(window.module, links).filter((link) => !link.label.startsWith('Lecture')),
    footer: `${late ? 'Sent late: the bot was offline at the reminder time. ' : ''}/reminders off stops these mentions for you.`,
    actions: [{ label: 'My next step', command: 'next-module', style: 'primary' }],
    tone: 'warning',
    private: false,
  };
}
