import type { Cohort, Learner } from '../../core/cohort.ts';
import { moduleLabel } from '../../core/course.ts';
import type { ModuleWindow } from '../../core/schedule.ts';
import type { Reply } from '../reply.ts';

/** The direct message that introduces a learner to their study buddies for a module. */
export function buddyIntroductionReply(window: ModuleWindow, learner: Learner, buddies: readonly Learner[], cohort: Cohort): Reply {
  const names = buddies.map((b) => b.displayName);
  const list = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return {
    title: `Your study ${buddies.length === 1 ? 'buddy' : 'buddies'} for ${moduleLabel(window.module)}`,
    text:
      `Hi ${learner.displayName}! For this module in ${cohort.name} you are paired with **${list}**. ` +
      `Say hello in the cohort channel or message them directly: compare approaches, review each other's code, unblock each other.`,
    footer: '/buddy off stops the pairing for you from the next module.',
    private: false,
  };
}
