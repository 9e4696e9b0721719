import { defineCommand } from '../src/chat/define-command.ts';
import { enrolledOnly, requireCohort, requireLearner } from '../src/chat/guards.ts';
import { choiceOption } from '../src/chat/options.ts';

export default defineCommand({
  name: 'buddy',
  description: 'Be paired with a study buddy at each module release (on), or not (off)',
  options: { state: choiceOption({ description: 'on: pair me at each module; off: stop', choices: ['on', 'off'], required: true }) },
  guards: [enrolledOnly],
  run(ctx) {
    const cohort = requireCohort(ctx);
    const learner = requireLearner(ctx);
    const on = ctx.options.state === 'on';
    ctx.services.store.buddies.setOptIn(learner.id, on);
    return {
      title: on ? 'You will get a study buddy' : 'No more study buddies for you',
      text: on
        ? `At each module release of ${cohort.name} I pair you with another learner who opted in, someone new each time while I can, and introduce you by direct message.`
        : 'You are not paired from the next module on. /buddy on brings it back.',
      tone: 'success',
      private: true,
    };
  },
});
