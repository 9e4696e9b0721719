import { defineCommand } from '../src/chat/define-command.ts';
import { enrolledOnly, requireCohort, requireLearner } from '../src/chat/guards.ts';
import { exerciseOption } from '../src/chat/options.ts';
import { UserError } from '../src/chat/user-error.ts';
import { windowsFor } from '../src/chat/views/cohort-progress.ts';
import { failingTestsLine } from '../src/chat/views/failing-tests.ts';
import { formatInZone } from '../src/core/calendar.ts';
import { moduleLabel } from '../src/core/course.ts';
import { isReleased } from '../src/core/schedule.ts';

export default defineCommand({
  name: 'hint',
  description: 'The next hint for an exercise, just for you: a nudge first, then closer to the approach',
  details:
    'Each exercise has three hints of increasing detail; each /hint <exercise> shows you the next one, privately. ' +
    'Hints open with their module. Organisers see in /cohort status how many hints each learner has used.',
  options: { exercise: exerciseOption({ description: 'The exercise, e.g. ex01-lru-cache or words of its title', required: true }) },
  guards: [enrolledOnly],
  run(ctx) {
    const cohort = requireCohort(ctx);
    const learner = requireLearner(ctx);
    const { exercise } = ctx.options;
    const window = windowsFor(cohort, ctx.services).find((w) => w.module.exercises.includes(exercise));
    if (window && !isReleased(window, ctx.now)) {
      throw new UserError(
        'not-released',
        `Hints for ${exercise.title} open with ${moduleLabel(window.module)} on ${formatInZone(window.releaseAt, cohort.timezone)}.`,
        '/next-module shows what to work on now.',
      );
    }
    const hints = exercise.hints ?? [];
    if (hints.length === 0) throw new UserError('no-hints', `${exercise.title} has no hints yet.`, 'Ask in the cohort channel: someone has been there.');

    const store = ctx.services.store;
    const before = store.hints.seen(learner.id, exercise.id);
    const seen = store.hints.reveal(learner.id, exercise.id, hints.length, ctx.now);
    const failing = store.results.listForLearner(learner.id).find((r) => r.exerciseId === exercise.id && r.status === 'failed')?.failing;
    const failingLine = failing ? failingTestsLine(failing.tests) : undefined;
    if (before >= hints.length) {
      return {
        title: `All ${hints.length} hints · ${exercise.title}`,
        text: 'You have seen every hint for this exercise; here they are together.',
        fields: hints.map((hint, i) => ({ name: `Hint ${i + 1}`, value: hint })),
        footer: `${failingLine ? `Your latest run: ${failingLine}. ` : ''}Still stuck? Ask in the cohort channel.`,
        private: true,
      };
    }
    const last = seen === hints.length;
    return {
      title: `Hint ${seen} of ${hints.length} · ${exercise.title}`,
      text: hints[seen - 1] ?? '',
      footer:
        (failingLine ? `Your latest run: ${failingLine}. ` : '') +
        (last ? 'That was the last hint. Still stuck? Ask in the cohort channel.' : `/hint ${exercise.id} again shows the next, more detailed one.`),
      private: true,
    };
  },
});
