import { formatInZone } from '../../core/calendar.ts';
import type { Cohort, Learner } from '../../core/cohort.ts';
import { moduleLabel } from '../../core/course.ts';
import { nextStep } from '../../core/next-step.ts';
import type { Services } from '../context.ts';
import type { Reply, ReplyAction, ReplyField } from '../reply.ts';
import { doneExercises } from './cohort-progress.ts';
import { moduleLinks, progressBar } from './module-view.ts';
import { moduleWindows } from '../../core/schedule.ts';

/** A learner's place in one cohort, as their home page shows it. */
export interface HomeEntry {
  cohort: Cohort;
  learner: Learner;
}

const COHORT_BUTTONS: ReplyAction[] = [
  { label: 'My progress', command: 'progress', style: 'primary' },
  { label: 'Leaderboard', command: 'leaderboard' },
  { label: 'Schedule', command: 'schedule' },
];

/**
 * What a learner sees on their own page of the app (Slack's Home tab): per cohort, the next step with its lectures
 * and due date, a progress bar per module, their rank, and buttons; without a cohort, how to join one.
 */
export function learnerHome(entries: readonly HomeEntry[], services: Services, now: Date): Reply[] {
  if (entries.length === 0) {
    return [
      {
        title: `${services.course.title}`,
        text: "You have not joined a cohort yet. In your cohort's channel, type /join: I will track your exercises and show your next step here.",
        actions: [{ label: 'Help', command: 'help' }],
        private: true,
      },
    ];
  }
  return entries.map((entry) => cohortHome(entry, services, now));
}

function cohortHome({ cohort, learner }: HomeEntry, services: Services, now: Date): Reply {
  if (cohort.calendarProblem) {
    return { title: cohort.name, text: `This cohort has no usable schedule yet (${cohort.calendarProblem}); an organiser is on it.`, tone: 'warning', private: true };
  }
  const windows = moduleWindows(services.course, cohort);
  const done = doneExercises(learner, services);
  const step = nextStep(windows, done, now);
  const board = services.store.standings.board(cohort, services.course, now, { top: 0, learnerId: learner.id });
  const mine = board.learner;
  const fields: ReplyField[] = [];
  let text: string;
  let links = undefined as Reply['links'];
  switch (step.kind) {
    case 'work': {
      const left = step.marks.filter((m) => !m.done).map((m) => `⬜ ${m.exercise.title} — \`${m.exercise.id}\``);
      text = `**Next: ${moduleLabel(step.window.module)}**\n${left.join('\n')}`;
      fields.push({ name: step.overdue ? 'Was due' : 'Due', value: formatInZone(step.window.dueAt, cohort.timezone), inline: true });
      links = moduleLinks(step.window.module, services.links).filter((link) => link.label.startsWith('Lecture'));
      break;
    }
    case 'wait':
      text = `**Coming next: ${moduleLabel(step.window.module)}**, released ${formatInZone(step.window.releaseAt, cohort.timezone)}. Its lectures are open to read ahead.`;
      links = moduleLinks(step.window.module, services.links).filter((link) => link.label.startsWith('Lecture'));
      break;
    case 'finished':
      text = `**You finished the course!** All ${step.exercisesDone} exercises are done.`;
  }
  if (mine) fields.push({ name: 'Rank', value: `${mine.rank} of ${board.total} · ${mine.points} points${mine.streak > 1 ? ` · 🔥 ${mine.streak} weeks` : ''}`, inline: true });
  const released = windows.filter((w) => w.releaseAt.getTime() <= now.getTime());
  if (released.length > 0) {
    const lines = released.map((w) => {
      const count = w.module.exercises.filter((e) => done.has(e.id)).length;
      return `\`${progressBar(count, w.module.exercises.length)}\` ${moduleLabel(w.module)}`;
    });
    fields.push({ name: 'Modules', value: lines.join('\n') });
  }
  return {
    title: cohort.name,
    text,
    fields,
    ...(links && links.length > 0 ? { links } : {}),
    actions: COHORT_BUTTONS,
    footer: cohort.status === 'paused' ? 'The cohort is paused: no posts go out until the organisers resume it.' : undefined,
    private: true,
  };
}
