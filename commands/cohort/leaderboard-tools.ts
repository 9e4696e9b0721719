import { defineSubcommand } from '../../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../../src/chat/guards.ts';
import { choiceOption, userOption } from '../../src/chat/options.ts';
import type { Reply } from '../../src/chat/reply.ts';
import { UserError } from '../../src/chat/user-error.ts';
import { cohortExportCsv } from '../../src/chat/views/cohort-export.ts';
import { boardMessageReply } from '../../src/chat/views/leaderboard-lines.ts';
import type { Cohort, Learner } from '../../src/core/cohort.ts';
import { digestOf } from '../../src/core/digest.ts';
import type { CommandContext } from '../../src/chat/context.ts';

/** /cohort exclude, include, export and board: what organisers do with the leaderboard. */

function learnerNamed(ctx: CommandContext<unknown>, cohort: Cohort, person: string): Learner {
  const learner = ctx.services.store.learners.find(cohort.id, person);
  if (!learner) throw new UserError('not-a-learner', `They have not joined ${cohort.name}.`, 'Only learners of this cohort are on its board.');
  return learner;
}

export const exclude = defineSubcommand({
  description: 'Leave someone off the leaderboard, e.g. a facilitator (/cohort include brings them back)',
  options: { person: userOption({ description: 'Who to leave off', required: true }) },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const learner = learnerNamed(ctx, cohort, ctx.options.person);
    ctx.services.store.standings.setExcluded(cohort.id, learner.id, true);
    return {
      title: `${learner.displayName} is off the ${cohort.name} leaderboard`,
      text: 'Their progress is still tracked and shown to them. /cohort include brings them back.',
      tone: 'success',
      private: true,
    };
  },
});

export const include = defineSubcommand({
  description: 'Put someone left off the leaderboard back on it',
  options: { person: userOption({ description: 'Who to bring back', required: true }) },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const learner = learnerNamed(ctx, cohort, ctx.options.person);
    ctx.services.store.standings.setExcluded(cohort.id, learner.id, false);
    return { title: `${learner.displayName} is on the ${cohort.name} leaderboard`, tone: 'success', private: true };
  },
});

export const exportCsv = defineSubcommand({
  description: 'A spreadsheet (CSV) of every learner: repo, each exercise’s first pass and commit, points, streak',
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { store, course } = ctx.services;
    const learners = store.learners.listInCohort(cohort.id);
    const csv = cohortExportCsv(course, cohort, learners, store.results.passesInCohort(cohort.id), store.standings.excluded(cohort.id), ctx.now);
    const name = `${cohort.name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').toLowerCase() || 'cohort'}-${ctx.now.toISOString().slice(0, 10)}.csv`;
    return {
      title: `${cohort.name}: export of ${learners.length} learner${learners.length === 1 ? '' : 's'}`,
      text: 'One row per learner, best first. Times are in the cohort’s timezone. Opens in any spreadsheet.',
      files: [{ name, contentType: 'text/csv', base64: Buffer.from(csv, 'utf8').toString('base64'), description: `${cohort.name} progress export` }],
      private: true,
    };
  },
});

export const board = defineSubcommand({
  description: 'Post the leaderboard in this channel as one message that updates itself (off: stop updating it)',
  options: { state: choiceOption({ description: 'on (the default) posts it; off stops updating it', choices: ['on', 'off'] }) },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { store, course } = ctx.services;
    const state = store.cohorts.board(cohort.id);
    if (ctx.options.state === 'off') {
      store.cohorts.setBoardEnabled(cohort.id, false);
      return { title: `The ${cohort.name} board message no longer updates`, text: 'It stays in the channel as it is; /cohort board brings it back to life.', private: true };
    }
    if (state.enabled && (state.messageId || store.outbox.hasPending(cohort.id, 'board'))) {
      return { title: `${cohort.name} already has its board message`, text: 'It updates itself at most once a minute as CI checks pass.', private: true };
    }
    // Posted now rather than at the next minute's check; edits of the same message follow from there.
    const payload = boardMessageReply(store.standings.board(cohort, course, ctx.now, { top: 10 }), cohort, course);
    store.transaction(() => {
      store.cohorts.setBoardEnabled(cohort.id, true);
      store.outbox.enqueueReplacing(cohort.id, 'board', payload, ctx.now, state.messageId);
      store.cohorts.setBoardDigest(cohort.id, digestOf(payload));
    });
    ctx.services.outbox.wake();
    return {
      title: `Posting the ${cohort.name} board in this channel`,
      text: 'It is one message, edited at most once a minute as CI checks pass; if someone deletes it, the next update posts it again.',
      tone: 'success',
      private: true,
    };
  },
});
