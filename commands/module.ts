import { moduleLabel, phaseName, totalPoints } from '../src/core/course.ts';
import { markExercises } from '../src/core/next-step.ts';
import { defineCommand } from '../src/chat/define-command.ts';
import { moduleOption } from '../src/chat/options.ts';
import type { ReplyField } from '../src/chat/reply.ts';
import { doneExercises, windowsFor } from '../src/chat/views/cohort-progress.ts';
import { datesField, exerciseLines, moduleLinks } from '../src/chat/views/module-view.ts';

export default defineCommand({
  name: 'module',
  description: 'One module: what it teaches, its lectures and exercises, its dates',
  options: {
    module: moduleOption({ description: 'A module number, slug or words of its title, e.g. 3 or kv-store', required: true }),
  },
  run(ctx) {
    const { module } = ctx.options;
    const { course, links } = ctx.services;
    const window = ctx.cohort && windowsFor(ctx.cohort, ctx.services).find((w) => w.module === module);
    const marks = window && ctx.learner ? markExercises(window, doneExercises(ctx.learner, ctx.services)) : undefined;

    const fields: ReplyField[] = [
      { name: 'Phase', value: phaseName(course, module.phase), inline: true },
      { name: 'Length', value: `${module.weeks} week${module.weeks === 1 ? '' : 's'}`, inline: true },
      { name: 'Points', value: String(totalPoints(module)), inline: true },
      { name: 'You will be able to', value: module.objectives.map((o) => `• ${o}`).join('\n') },
      { name: 'Exercises', value: exerciseLines(module, marks) },
    ];
    if (window && ctx.cohort) fields.push(datesField(window, ctx.cohort, ctx.now));

    return { title: moduleLabel(module), text: module.summary, fields, links: moduleLinks(module, links), private: true };
  },
});
