import { defineCommand } from '../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../src/chat/guards.ts';
import { choiceOption } from '../src/chat/options.ts';
import type { Reply } from '../src/chat/reply.ts';
import type { Cohort } from '../src/core/cohort.ts';
import type { Course } from '../src/core/course.ts';
import { leaderboardPng } from '../src/picture/rasterise.ts';
import type { Board } from '../src/store/standings.ts';
import { boardLine, totalExercises } from '../src/chat/views/leaderboard-lines.ts';
import { ON_TIME_BONUS } from '../src/core/scoring.ts';

const SHOWN = 10;
/** A picture holds more than a message: the top 20, and the asker if further down (about 100 ms to draw). */
const PICTURED = 20;
export default defineCommand({
  name: 'leaderboard',
  description: "Who is ahead in this channel's cohort: points from exercises whose CI passed",
  details:
    `**Scoring.** Each exercise is worth the points the course gives it, counted once its CI check first passes in your repo. ` +
    `A first pass before its module's due time (in the cohort's timezone) earns ${Math.round(ON_TIME_BONUS * 100)}% more; finishing late still counts. ` +
    `Equal points are ranked by who reached them first. Your streak is how many cohort weeks in a row you passed at least one exercise; ` +
    `the week in progress can extend it but not break it. Organisers may leave a facilitator off the board (/cohort exclude).`,
  options: { show: choiceOption({ description: 'image: the board as a picture to share', choices: ['text', 'image'] }) },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { store, course } = ctx.services;
    const image = ctx.options.show === 'image';
    const board = store.standings.board(cohort, course, ctx.now, { top: image ? PICTURED : SHOWN, ...(ctx.learner ? { learnerId: ctx.learner.id } : {}) });
    if (board.total === 0) {
      return { title: `${cohort.name} leaderboard`, text: 'Nobody has joined yet. Type /join to be the first.', private: true };
    }
    if (image) return pictureReply(board, cohort, course, ctx.now);
    const total = totalExercises(course);
    const mine = board.learner;
    const lines = board.top.map((s) => boardLine(s, s.learnerId === mine?.learnerId, total));
    if (mine && !board.top.some((s) => s.learnerId === mine.learnerId)) lines.push('…', boardLine(mine, true, total));
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

/** The board as a PNG: ranked bars, the asker highlighted (added below the top if they are further down). */
function pictureReply(board: Board, cohort: Cohort, course: Course, now: Date): Reply {
  const lines = board.learner && !board.top.some((s) => s.learnerId === board.learner?.learnerId) ? [...board.top, board.learner] : board.top;
  const rows = lines.map((s) => ({
    rank: s.rank,
    name: s.displayName,
    points: s.points,
    modulesFinished: s.modulesFinished,
    totalModules: course.modules.length,
    streak: s.streak,
    exercisesDone: s.exercises,
    totalExercises: totalExercises(course),
    highlighted: s.learnerId === board.learner?.learnerId,
  }));
  const day = now.toISOString().slice(0, 10);
  const { png } = leaderboardPng({ title: `${cohort.name} leaderboard`, subtitle: `${board.scored} of ${board.total} learners have points · ${day}`, rows });
  const leader = board.top[0];
  return {
    title: `${cohort.name} leaderboard`,
    text: `The top ${board.top.length} as a picture${board.learner ? ', you highlighted' : ''}.`,
    files: [
      {
        name: `leaderboard-${day}.png`,
        contentType: 'image/png',
        base64: png.toString('base64'),
        description: leader && leader.points > 0 ? `${cohort.name} leaderboard: ${leader.displayName} leads with ${leader.points} points` : `${cohort.name} leaderboard`,
      },
    ],
    private: true,
  };
}
