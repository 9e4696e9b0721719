import type { Learner } from './cohort.ts';
import type { Course } from './course.ts';

/** A pass that counts: the exercise and when it first passed. */
export interface Pass {
  learnerId: number;
  exerciseId: string;
  firstPassedAt: Date;
}

export interface Standing {
  rank: number;
  learner: Learner;
  points: number;
  exercises: number;
  /** When they reached their points: the earlier, the higher among equals. */
  reachedAt: Date | null;
}

/**
 * Learners by points (each exercise's points, once passed); equal points are ordered by who got there first,
 * and only exact ties (same points, same moment, or no points) share a rank, as in 1, 2, 2, 4.
 */
export function rankLearners(course: Course, learners: readonly Learner[], passes: readonly Pass[]): Standing[] {
  const points = new Map(course.modules.flatMap((m) => m.exercises).map((e) => [e.id, e.points]));
  // One pass over the passes, grouped by learner: the board is computed per request, for cohorts of thousands.
  const totals = new Map<number, { points: number; exercises: number; reachedAt: Date | null }>();
  for (const pass of passes) {
    const worth = points.get(pass.exerciseId);
    if (worth === undefined) continue;
    let total = totals.get(pass.learnerId);
    if (!total) totals.set(pass.learnerId, (total = { points: 0, exercises: 0, reachedAt: null }));
    total.points += worth;
    total.exercises += 1;
    if (total.reachedAt === null || pass.firstPassedAt > total.reachedAt) total.reachedAt = pass.firstPassedAt;
  }
  const standings = learners.map((learner): Standing => {
    const total = totals.get(learner.id);
    return { rank: 0, learner, points: total?.points ?? 0, exercises: total?.exercises ?? 0, reachedAt: total?.reachedAt ?? null };
  });
  const time = (s: Standing) => s.reachedAt?.getTime() ?? Infinity;
  standings.sort((a, b) => b.points - a.points || time(a) - time(b) || a.learner.displayName.localeCompare(b.learner.displayName));
  standings.forEach((s, i) => {
    const before = standings[i - 1];
    s.rank = before && before.points === s.points && time(before) === time(s) ? before.rank : i + 1;
  });
  return standings;
}
