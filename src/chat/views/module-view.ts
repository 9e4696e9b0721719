import { formatInZone } from '../../core/calendar.ts';
import type { Cohort } from '../../core/cohort.ts';
import { moduleLabel, type ContentLinks, type Module } from '../../core/course.ts';
import type { ExerciseMark } from '../../core/next-step.ts';
import type { ModuleWindow } from '../../core/schedule.ts';
import type { ReplyField, ReplyLink } from '../reply.ts';

/** Pieces of a module's presentation shared by /module, /next-module and the weekly post. */

/** What to open for a module: its lectures in order, what each exercise asks, then the module's own page. */
export function moduleLinks(module: Module, links: ContentLinks): ReplyLink[] {
  return [
    ...module.lectures.map((lecture, i) => ({ label: `Lecture ${i + 1}: ${lecture.title}`, url: links.lecture(module, lecture) })),
    ...module.exercises.map((exercise) => ({ label: `Exercise: ${exercise.title}`, url: links.exercise(module, exercise.id) })),
    { label: `${moduleLabel(module)}: overview`, url: links.module(module) },
  ];
}

/** One line per exercise; with marks when we know the learner's progress. */
export function exerciseLines(module: Module, marks?: readonly ExerciseMark[]): string {
  return module.exercises
    .map((exercise) => {
      const done = marks?.find((mark) => mark.exercise.id === exercise.id)?.done;
      const box = done === undefined ? '•' : done ? '✅' : '⬜';
      return `${box} ${exercise.title} — \`${exercise.id}\`, ${exercise.points} pts`;
    })
    .join('\n');
}

/** `▰▰▱ 2/3`: progress at a glance, in any font. */
export function progressBar(done: number, total: number): string {
  const width = Math.min(total, 10);
  // Some progress always shows (1 of 45 is one segment), and only everything fills the bar.
  const rounded = total === 0 ? 0 : Math.round((done / total) * width);
  const filled = done > 0 && rounded === 0 ? 1 : done < total && rounded === width ? width - 1 : rounded;
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${done}/${total}`;
}

export function datesField(window: ModuleWindow, cohort: Cohort, now: Date): ReplyField {
  const released = window.releaseAt.getTime() <= now.getTime();
  return {
    name: 'Dates',
    value: `${released ? 'Released' : 'Releases'} ${formatInZone(window.releaseAt, cohort.timezone)}\nDue ${formatInZone(window.dueAt, cohort.timezone)}`,
    inline: false,
  };
}
