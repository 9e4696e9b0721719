import type { Cohort } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import { moduleWindows } from '../core/schedule.ts';
import { nextDeadline, planDigest, weekFacts, type DigestFacts } from '../core/weekly-digest.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { cohortRound } from './cohort-round.ts';

/** Lines of the leaderboard a digest shows; ranks of a longer top are remembered to tell who moved up. */
const DIGEST_TOP = 5;
const REMEMBERED = 50;

export interface DigestJobDeps {
  store: Store;
  course: Course;
  logger: Logger;
  /** The digest message; injected so the scheduler knows no chat formats. */
  renderDigest(facts: DigestFacts, cohort: Cohort): unknown;
}

/**
 * Posts each active cohort's weekly digest once, at its weekly slot: claimed with its outbox message in one
 * transaction (a restart never repeats it); after downtime only the latest week's, marked late. A week with no first
 * pass is claimed without a message: nothing happened, so nothing is said. Returns how many were enqueued.
 */
export function sendWeeklyDigests(deps: DigestJobDeps, now: Date): number {
  const { store, course, logger } = deps;
  return cohortRound(store.cohorts.listActive(), logger, 'could not plan the weekly digest of a cohort', (cohort) =>
    store.transaction(() => {
      if (cohort.settings && !cohort.settings.digest.enabled) return 0;
      const plan = planDigest(cohort, now, store.posts.claimedPeriods(cohort.id, 'digest'), cohort.settings?.digest);
      if (!plan) return 0;
      const facts = weekFacts(course, store.results.passesInCohort(cohort.id), plan.slot);
      if (facts.passes === 0) {
        store.posts.claim(cohort.id, 'digest', plan.period, null, now);
        return 0;
      }
      const board = store.standings.board(cohort, course, now, { top: REMEMBERED });
      const before = store.digestRanks.get(cohort.id);
      const top = board.top.slice(0, DIGEST_TOP).filter((s) => s.points > 0);
      const movedUp = top
        .filter((s) => (before.get(s.learnerId) ?? Infinity) > s.rank)
        .map((s) => ({ name: s.displayName, from: before.get(s.learnerId), to: s.rank }));
      const names = new Map(store.learners.listInCohort(cohort.id).map((l) => [l.id, l.displayName]));
      const finished = facts.finishedModules
        .map((f) => ({ name: names.get(f.learnerId) ?? '?', module: f.module }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.module - b.module);
      const payload = deps.renderDigest({ passes: facts.passes, finished, top, movedUp, next: nextDeadline(moduleWindows(course, cohort), now), late: plan.late }, cohort);
      const outboxId = store.outbox.enqueue(cohort.id, 'digest', payload, now);
      store.posts.claim(cohort.id, 'digest', plan.period, outboxId, now);
      store.digestRanks.replace(cohort.id, board.top.map((s) => ({ learnerId: s.learnerId, rank: s.rank })));
      logger.info({ cohort: cohort.id, period: plan.period, passes: facts.passes, late: plan.late }, 'weekly digest enqueued');
      return 1;
    }),
  );
}
