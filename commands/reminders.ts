import { defineCommand } from '../src/chat/define-command.ts';
import { enrolledOnly, requireCohort, requireLearner } from '../src/chat/guards.ts';
import { choiceOption } from '../src/chat/options.ts';

/** Named /reminders, not /remind or /mute: those are Slack's own commands, which an app never receives. */
export default defineCommand({
  name: 'reminders',
  description: 'Turn off (or back on) being mentioned in due-date reminders',
  options: { state: choiceOption({ description: 'off: no mentions for you; on: mentions again', choices: ['on', 'off'], required: true }) },
  guards: [enrolledOnly],
  run(ctx) {
    const cohort = requireCohort(ctx);
    const learner = requireLearner(ctx);
    const off = ctx.options.state === 'off';
    ctx.services.store.learners.setRemindersOptOut(learner.id, off);
    return {
      title: off ? 'No more reminder mentions for you' : 'Reminder mentions are back on',
      text: off
        ? `Due-date reminders in ${cohort.name} will not mention you. /next-module always shows what is due.`
        : `Due-date reminders in ${cohort.name} will mention you while you have unfinished exercises.`,
      tone: 'success',
      private: true,
    };
  },
});
