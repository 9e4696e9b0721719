import type { Cohort } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import { planKey, sameRank, scoreLearner, scoringPlan, weeklyStreak, type LearnerScore } from '../core/scoring.ts';
import type { Db } from './open-database.ts';

/** One line of a cohort's board. */
export interface Standing extends LearnerScore {
  rank: number;
  learnerId: number;
  platformUserId: string;
  displayName: string;
  /** Consecutive cohort weeks with a first pass, up to now. */
  streak: number;
}

export interface Board {
  /** The first `top` learners, in order, ties sharing a rank. */
  top: Standing[];
  /** The asked-about learner, wherever they stand; undefined if not on the board (not joined, or left off). */
  learner: Standing | undefined;
  /** Learners on the board, and how many of them have points. */
  total: number;
  scored: number;
}

interface ScoreRow {
  learner_id: number;
  platform_user_id: string;
  display_name: string;
  points: number;
  bonus: number;
  exercises: number;
  modules_finished: number;
  reached_at: string | null;
}

/**
 * The cohort board, kept fast at 10,000 learners: each learner's score is stored (learner_scores) and ranked by an
 * index; scores made stale by new first passes (triggers, migration 012) or a changed plan (points, due instants)
 * are computed again, pure, by src/core/scoring, when the board is next read. Reading the top and one learner's
 * rank costs a few index lookups, never a pass over every pass.
 */
export function createStandingsQueries(db: Db) {
  const cohortPlan = db.prepare<[number], { score_plan: string | null }>('SELECT score_plan FROM cohorts WHERE id = ?');
  const setPlan = db.prepare<[string, number]>('UPDATE cohorts SET score_plan = ? WHERE id = ?');
  const markAllStale = db.prepare<[number]>('UPDATE learner_scores SET stale = 1 WHERE cohort_id = ?');
  const staleLearners = db.prepare<[number], { learner_id: number }>('SELECT learner_id FROM learner_scores WHERE cohort_id = ? AND stale = 1');
  const passesOf = db.prepare<[number], { exercise_id: string; first_passed_at: string }>(
    'SELECT exercise_id, first_passed_at FROM exercise_results WHERE learner_id = ? AND first_passed_at IS NOT NULL',
  );
  const save = db.prepare<[number, number, number, number, string | null, number]>(
    'UPDATE learner_scores SET points = ?, bonus = ?, exercises = ?, modules_finished = ?, reached_at = ?, stale = 0 WHERE learner_id = ?',
  );
  const columns = `s.learner_id, l.platform_user_id, l.display_name, s.points, s.bonus, s.exercises, s.modules_finished, s.reached_at`;
  const top = db.prepare<[number, number], ScoreRow>(
    `SELECT ${columns} FROM learner_scores s JOIN learners l ON l.id = s.learner_id
     WHERE s.cohort_id = ? AND s.excluded = 0 ORDER BY s.points DESC, s.reached_at, s.learner_id LIMIT ?`,
  );
  const one = db.prepare<[number], ScoreRow & { excluded: number; cohort_id: number }>(
    `SELECT ${columns}, s.excluded, s.cohort_id FROM learner_scores s JOIN learners l ON l.id = s.learner_id WHERE s.learner_id = ?`,
  );
  const ahead = db.prepare<[number, number, number, number, string], { n: number }>(
    `SELECT (SELECT COUNT(*) FROM learner_scores WHERE cohort_id = ? AND excluded = 0 AND points > ?)
          + (SELECT COUNT(*) FROM learner_scores WHERE cohort_id = ? AND excluded = 0 AND points = ? AND reached_at < ?) AS n`,
  );
  const counts = db.prepare<[number], { total: number; scored: number | null }>(
    'SELECT COUNT(*) AS total, SUM(points > 0) AS scored FROM learner_scores WHERE cohort_id = ? AND excluded = 0',
  );
  const excludedIn = db.prepare<[number], { learner_id: number }>('SELECT learner_id FROM learner_scores WHERE cohort_id = ? AND excluded = 1');
  const setExcluded = db.prepare<[number, number, number]>('UPDATE learner_scores SET excluded = ? WHERE learner_id = ? AND cohort_id = ?');
  const passTimes = db.prepare<[number], { first_passed_at: string }>('SELECT first_passed_at FROM exercise_results WHERE learner_id = ? AND first_passed_at IS NOT NULL');
  // Rows this connection has written since it opened, and SQLite's count of commits by other connections (a
  // backup, a tool): while both stand still no score, learner or cohort has changed, and a board read moments ago
  // is still the board.
  const ownWrites = db.prepare<[], number>('SELECT total_changes()').pluck();
  const othersWrites = db.prepare<[], number>('PRAGMA data_version').pluck();
  const writes = { get: () => `${ownWrites.get()}:${othersWrites.get()}` };
  const recent = new Map<string, { writes: string; minute: number; top: Standing[]; total: number; scored: number }>();

  /** Brings the cohort's scores up to date: all of them under a new plan, else only the stale ones. */
  const refresh = db.transaction((cohort: Cohort, course: Course) => {
    const plan = scoringPlan(course, cohort);
    const key = planKey(plan);
    if (cohortPlan.get(cohort.id)?.score_plan !== key) {
      markAllStale.run(cohort.id);
      setPlan.run(key, cohort.id);
    }
    for (const { learner_id } of staleLearners.all(cohort.id)) {
      const passes = passesOf.all(learner_id).map((p) => ({ exerciseId: p.exercise_id, firstPassedAt: new Date(p.first_passed_at) }));
      const score = scoreLearner(passes, plan);
      save.run(score.points, score.bonus, score.exercises, score.modulesFinished, score.reachedAt?.toISOString() ?? null, learner_id);
    }
  });

  function toStanding(row: ScoreRow, rank: number, cohort: Cohort, now: Date, streaks: boolean): Standing {
    return {
      rank,
      learnerId: row.learner_id,
      platformUserId: row.platform_user_id,
      displayName: row.display_name,
      points: row.points,
      bonus: row.bonus,
      exercises: row.exercises,
      modulesFinished: row.modules_finished,
      reachedAt: row.reached_at === null ? null : new Date(row.reached_at),
      streak: streaks ? weeklyStreak(passTimes.all(row.learner_id).map((p) => new Date(p.first_passed_at)), cohort, now) : 0,
    };
  }

  function rankOf(cohortId: number, row: ScoreRow): number {
    if (row.points === 0) return 1 + (counts.get(cohortId)?.scored ?? 0);
    return 1 + (ahead.get(cohortId, row.points, cohortId, row.points, row.reached_at ?? '')?.n ?? 0);
  }

  return {
    /**
     * The first `top` learners (-1: all) and, if asked, where one learner stands; scores are brought up to date
     * first. Streaks cost a small query per line shown: `streaks: false` skips them for whole-cohort lists.
     */
    board(cohort: Cohort, course: Course, now: Date, options: { top: number; learnerId?: number; streaks?: boolean }): Board {
      const streaks = options.streaks ?? true;
      // A burst of /leaderboard in a big cohort reads the top once; streaks depend on the time, so a minute at most.
      // The plan is in the key too: a cohort whose dates or points differ is another board, written or not.
      const key = `${cohort.id}:${options.top}:${streaks}:${planKey(scoringPlan(course, cohort))}`;
      const minute = Math.floor(now.getTime() / 60_000);
      let cached = recent.get(key);
      if (!cached || cached.writes !== writes.get() || cached.minute !== minute) {
        refresh(cohort, course);
        const standings: Standing[] = [];
        for (const [i, row] of top.all(cohort.id, options.top).entries()) {
          const before = standings[i - 1];
          const standing = toStanding(row, i + 1, cohort, now, streaks);
          if (before && sameRank(before, standing)) standing.rank = before.rank;
          standings.push(standing);
        }
        const { total, scored } = counts.get(cohort.id) ?? { total: 0, scored: 0 };
        cached = { writes: writes.get(), minute, top: standings, total, scored: scored ?? 0 };
        if (recent.size > 1_000) recent.clear();
        recent.set(key, cached);
      }
      const standings = cached.top.map((s) => ({ ...s }));
      let learner = standings.find((s) => s.learnerId === options.learnerId);
      if (!learner && options.learnerId !== undefined) {
        const row = one.get(options.learnerId);
        if (row && row.cohort_id === cohort.id && row.excluded === 0) learner = toStanding(row, rankOf(cohort.id, row), cohort, now, streaks);
      }
      return { top: standings, learner, total: cached.total, scored: cached.scored };
    },
    /** Leaves a learner off the board (a facilitator), or brings them back; false if they are not in the cohort. */
    setExcluded(cohortId: number, learnerId: number, excluded: boolean): boolean {
      return setExcluded.run(excluded ? 1 : 0, learnerId, cohortId).changes > 0;
    },
    /** Learners of the cohort left off its board. */
    excluded(cohortId: number): Set<number> {
      return new Set(excludedIn.all(cohortId).map((r) => r.learner_id));
    },
  };
}

export type StandingsQueries = ReturnType<typeof createStandingsQueries>;
