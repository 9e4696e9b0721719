import { defineCommand } from '../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../src/chat/guards.ts';
import type { Reply } from '../src/chat/reply.ts';
import { rankLearners, type Standing } from '../src/core/leaderboard.ts';

const SHOWN = 10;
const MEDALS = ['🥇', '🥈', '🥉'];

function line(standing: Standing, you: boolean): string {
  const place = MEDALS[standing.rank - 1] ?? `${standing.rank}.`;
  const exercises = `${standing.exercises} exercise${standing.exercises === 1 ? '' : 's'}`;
  return `${place} ${you ? '**' : ''}${standing.learner.displayName}${you ? '**' : ''} — ${standing.points} points (${exercises})`;
}

export default defineCommand({
  name: 'leaderboard',
  description: "Who is ahead in this channel's cohort: points from exercises whose CI passed",
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { store, course } = ctx.services;
    const standings = rankLearners(course, store.learners.listInCohort(cohort.id), store.results.passesInCohort(cohort.id));
    if (standings.length === 0) {
      return { title: `${cohort.name} leaderboard`, text: 'Nobody has joined yet. Type /join to be the first.', private: true };
    }
    const mine = standings.find((s) => s.learner.id === ctx.learner?.id);
    const lines = standings.slice(0, SHOWN).map((s) => line(s, s === mine));
    if (mine && !standings.slice(0, SHOWN).includes(mine)) lines.push('…', line(mine, true));
    const scored = standings.filter((s) => s.points > 0).length;
    return {
      title: `${cohort.name} leaderboard`,
      text: lines.join('\n'),
      footer: `${scored} of ${standings.length} learners have points. An exercise counts once its CI check passes in the learner's repo.`,
      actions: [{ label: 'Show me', command: 'progress' }],
      private: true,
    };
  },
});
