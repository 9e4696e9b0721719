import type { Cohort } from '../../core/cohort.ts';
import type { Course } from '../../core/course.ts';
import type { Board, Standing } from '../../store/standings.ts';
import type { Reply } from '../reply.ts';
import { progressBar } from './module-view.ts';

const MEDALS = ['🥇', '🥈', '🥉'];

export function totalExercises(course: Course): number {
  return course.modules.reduce((sum, m) => sum + m.exercises.length, 0);
}

/** 🥇 for the first three with points, `4.` after them; nobody wins a medal for 0 points. */
export function placeMark(rank: number, points: number): string {
  return (points > 0 ? MEDALS[rank - 1] : undefined) ?? `${rank}.`;
}

/** Rank, name, points, a small progress bar, modules finished and streak: one learner at a glance. */
export function boardLine(standing: Standing, you: boolean, exercisesInCourse: number): string {
  const place = placeMark(standing.rank, standing.points);
  const name = you ? `**${standing.displayName}** (you)` : standing.displayName;
  const details = [
    `\`${progressBar(standing.exercises, exercisesInCourse)}\``,
    standing.modulesFinished > 0 ? `${standing.modulesFinished} module${standing.modulesFinished === 1 ? '' : 's'}` : undefined,
    standing.streak > 1 ? `🔥 ${standing.streak} weeks` : undefined,
  ].filter(Boolean);
  return `${place} ${name} — ${standing.points} pts · ${details.join(' · ')}`;
}

/**
 * The cohort's board message in its channel, edited as passes come in: the top ten for everyone, with buttons that
 * answer each clicker privately (their own line, their next step).
 */
export function boardMessageReply(board: Board, cohort: Cohort, course: Course): Reply {
  const total = totalExercises(course);
  return {
    title: `🏆 ${cohort.name} leaderboard`,
    text: board.top.length > 0 ? board.top.map((s) => boardLine(s, false, total)).join('\n') : 'Nobody has joined yet.',
    footer: `${board.scored} of ${board.total} learners have points. This message updates itself as CI checks pass.`,
    actions: [
      { label: 'Show me', command: 'progress', style: 'primary' },
      { label: 'My next step', command: 'next-module' },
    ],
    private: false,
  };
}
