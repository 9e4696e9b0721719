import { defineCommand } from '../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../src/chat/guards.ts';

export default defineCommand({
  name: 'join',
  description: 'Join the cohort of this channel, so your progress is tracked',
  guards: [inCohort],
  run(ctx) {
    const cohort = requireCohort(ctx);
    const { user } = ctx.invocation;
    const { created } = ctx.services.store.learners.join(cohort.id, user.id, user.displayName, ctx.now);
    if (!created) {
      return {
        title: `You are already in ${cohort.name}`,
        text: 'Type /next-module to see what to work on now.',
        private: true,
      };
    }
    return {
      title: `Welcome to ${cohort.name}, ${user.displayName}!`,
      text: 'You are in. Type /next-module for what to do now and /schedule for the whole timetable.',
      tone: 'success',
      private: true,
    };
  },
});
