import { formatInZone } from '../src/core/calendar.ts';
import { moduleLabel } from '../src/core/course.ts';
import { nextStep } from '../src/core/next-step.ts';
import { currentWindow } from '../src/core/schedule.ts';
import { defineCommand } from '../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../src/chat/guards.ts';
import type { Reply } from '../src/chat/reply.ts';
import { doneExercises, windowsFor } from '../src/chat/views/cohort-progress.ts';
import { exerciseLines, moduleLinks, progressBar } from '../src/chat/views/module-view.ts';

export default defineCommand({
  name: 'next-module',
  description: 'What should I do now? Your next module, its lectures and your exercises',
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { links } = ctx.services;
    const windows = windowsFor(cohort, ctx.services);
    const when = (instant: Date) => formatInZone(instant, cohort.timezone);

    if (!ctx.learner) {
      // Not joined: show what the cohort is on, so the answer is useful, and how to take part.
      const window = currentWindow(windows, ctx.now) ?? windows[0];
      if (!window) throw new Error('the course has no modules');
      return {
        title: `${cohort.name} is on ${moduleLabel(window.module)}`,
        text: `${window.module.summary}\n\nYou have not joined yet: type /join and I will track your exercises and tell you your next step.`,
        fields: [
          { name: 'Exercises', value: exerciseLines(window.module) },
          { name: 'Due', value: when(window.dueAt) },
        ],
        links: moduleLinks(window.module, links),
        actions: [{ label: 'Join', command: 'join', style: 'primary' }],
        private: true,
      };
    }

    const step = nextStep(windows, doneExercises(ctx.learner, ctx.services), ctx.now);
    switch (step.kind) {
      case 'work': {
        const { module } = step.window;
        const done = step.marks.filter((mark) => mark.done).length;
        const onEarlierCourse = ctx.services.store.syncState.get(ctx.learner.id)?.courseVersion === 'earlier';
        const footer = [
          step.overdue ? 'This module is past its due date: finishing it still counts.' : undefined,
          onEarlierCourse ? 'Your repo has the course as it was when you started: exercises added since cannot count there until your organiser updates it (your work is kept).' : undefined,
        ].filter(Boolean).join('\n');
        return {
          title: `Next: ${moduleLabel(module)}`,
          text: module.summary,
          fields: [
            { name: 'Your exercises', value: exerciseLines(module, step.marks) },
            { name: 'Progress', value: progressBar(done, step.marks.length), inline: true },
            { name: step.overdue ? 'Was due' : 'Due', value: when(step.window.dueAt), inline: true },
          ],
          links: moduleLinks(module, links),
          footer: footer || undefined,
          tone: step.overdue || onEarlierCourse ? 'warning' : 'info',
          actions: [{ label: 'My progress', command: 'progress' }],
          private: true,
        };
      }
      case 'wait':
        return {
          title: step.doneSoFar === 0 ? 'The cohort starts soon' : 'You are ahead of the schedule',
          text: `${moduleLabel(step.window.module)} is released ${when(step.window.releaseAt)}. Until then, its lectures are open to read ahead.`,
          fields: [{ name: 'Coming next', value: exerciseLines(step.window.module) }],
          links: moduleLinks(step.window.module, links),
          tone: 'success',
          actions: [{ label: 'My progress', command: 'progress' }],
          private: true,
        };
      case 'finished':
        return {
          title: 'You finished the course!',
          text: `All ${step.exercisesDone} exercises are done. Congratulations — and consider helping the others in the channel.`,
          tone: 'success',
          private: true,
        };
    }
  },
});
