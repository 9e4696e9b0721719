import { defineCommand } from '../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../src/chat/guards.ts';
import type { Reply } from '../src/chat/reply.ts';
import { progressBar } from '../src/chat/views/module-view.ts';
import { ON_TIME_BONUS } from '../src/core/scoring.ts';
import type { Standing } from '../src/store/standings.ts';

const SHOWN = 10;
const MEDALS = ['🥇', '🥈', '🥉'];

/** Rank, name, points, a small progress bar, modules finished and streak: one learner at a glance. */
function line(standing: Standing, you: boolean, totalExercises: number): string {
  // Nobody wins a medal for 0 points.
  const place = (standing.points > 0 ? MEDALS[standing.rank - 1] : undefined) ?? `${standing.rank}.`;
  const name = you ? `**${standing.displayName}** (you)` : standing.displayName;
  const details = [
    `\`${progressBar(standing.exercises, totalExercises)}\``,
    standing.modulesFinished > 0 ? `${standing.modulesFinished} module${standing.modulesFinished === 1 ? '' : 's'}` : undefined,
    standing.streak > 1 ? `🔥 ${standing.streak} weeks` : undefined,
  ].filter(Boolean);
  return `${place} ${name} — ${standing.points} pts · ${details.join(' · ')}`;
}

export default defineCommand({
  name: 'leaderboard',
  description: "Who is ahead in this channel's cohort: points from exercises whose CI passed",
  details:
    `**Scoring.** Each exercise is worth the points the course gives it, counted once its CI check first passes in your repo. ` +
    `A first pass before its module's due time (in the cohort's timezone) earns ${Math.round(ON_TIME_BONUS * 100)}% more; finishing late still counts. ` +
    `Equal points are ranked by who reached them first. Your streak is how many cohort weeks in a row you passed at least one exercise; ` +
    `the week in progress can extend it but not break it. Organisers may leave a facilitator off the board (/cohort exclude).`,
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { store, course } = ctx.services;
    const board = store.standings.board(cohort, course, ctx.now, { top: SHOWN, ...(ctx.learner ? { learnerId: ctx.learner.id } : {}) });
    if (board.total === 0) {
      return { title: `${cohort.name} leaderboard`, text: 'Nobody has joined yet. Type /join to be the first.', private: true };
    }
    const totalExercises = course.modules.reduce((sum, m) => sum + m.exercises.length, 0);
    const mine = board.learner;
    const lines = board.top.map((s) => line(s, s.learnerId === mine?.learnerId, totalExercises));
    if (mine && !board.top.some((s) => s.learnerId === mine.learnerId)) lines.push('…', line(mine, true, totalExercises));
    return {
      title: `${cohort.name} leaderboard`,
      text: lines.join('\n'),
      footer:
        `${board.scored} of ${board.total} learners have points. An exercise counts once its CI check passes in the learner's repo; ` +
        `a first pass before its module is due earns ${Math.round(ON_TIME_BONUS * 100)}% more. /help leaderboard explains the scoring.`,
      actions: [{ label: 'Show me', command: 'progress' }],
      private: true,
    };
  },
});
