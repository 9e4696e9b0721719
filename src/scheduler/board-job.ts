import type { Cohort } from '../core/cohort.ts';
import type { Course } from '../core/course.ts';
import { digestOf } from '../core/digest.ts';
import type { Logger } from '../logger.ts';
import type { Board } from '../store/standings.ts';
import type { Store } from '../store/store.ts';

export interface BoardJobDeps {
  store: Store;
  course: Course;
  logger: Logger;
  /** The board message; injected so the scheduler knows no chat formats. */
  renderBoard(board: Board, cohort: Cohort): unknown;
}

/** Lines shown in a board message. */
const BOARD_LINES = 10;

/**
 * Keeps each cohort's board message current: run every minute, it queues an edit when what the message shows has
 * changed, so a burst of passes costs one edit a minute at most. While an edit (or the first post) is still waiting
 * in the outbox, nothing more is queued: a cohort never has two boards in flight, whatever restarts happen.
 * Returns how many edits were queued.
 */
export function refreshBoards(deps: BoardJobDeps, now: Date): number {
  const { store, course, logger } = deps;
  let queued = 0;
  for (const cohort of store.cohorts.listWithBoard()) {
    if (cohort.calendarProblem) continue;
    try {
      if (store.outbox.hasPending(cohort.id, 'board')) continue;
      const payload = deps.renderBoard(store.standings.board(cohort, course, now, { top: BOARD_LINES }), cohort);
      const digest = digestOf(payload);
      const state = store.cohorts.board(cohort.id);
      if (state.digest === digest) continue;
      store.transaction(() => {
        store.outbox.enqueueReplacing(cohort.id, 'board', payload, now, state.messageId);
        store.cohorts.setBoardDigest(cohort.id, digest);
      });
      queued += 1;
    } catch (error) {
      logger.error({ err: error, cohort: cohort.id }, 'could not refresh a board message');
    }
  }
  return queued;
}
