import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../logger.ts';
import { postDueAssignments, type AssignmentJobDeps } from './assignment-job.ts';
import { refreshBoards, type BoardJobDeps } from './board-job.ts';
import { pairStudyBuddies, type BuddyJobDeps } from './buddy-job.ts';
import { sendWeeklyDigests, type DigestJobDeps } from './digest-job.ts';
import { sendNudges, type NudgeJobDeps } from './nudge-job.ts';
import { sendDueReminders, type ReminderJobDeps } from './reminder-job.ts';

const NUDGE_EVERY_MS = 3600_000;

export interface Scheduler {
  /** Runs a catch-up round at once, then one every minute. */
  start(): void;
  stop(): void;
  /** One round now (also what the cron trigger calls). */
  tick(): number;
}

/**
 * The clock's edge: node-cron fires every minute and the job decides what is due, from the cohort's own
 * timezone and post time. A minute-level trigger keeps every cohort within a minute of its post time and makes
 * catch-up after downtime the same code path as the normal post.
 */
export function createScheduler(
  deps: AssignmentJobDeps &
    Partial<Pick<BoardJobDeps, 'renderBoard'> & Pick<ReminderJobDeps, 'renderReminder'> & Pick<DigestJobDeps, 'renderDigest'> & Pick<BuddyJobDeps, 'renderIntroduction'> & Pick<NudgeJobDeps, 'renderNudge'>> & {
      clock: Clock;
      logger: Logger;
      onPosted(): void;
    },
): Scheduler {
  let task: ScheduledTask | undefined;
  let lastNudgeRound = -Infinity;
  const tick = () => {
    const now = deps.clock.now();
    const renderBoard = deps.renderBoard;
    const renderReminder = deps.renderReminder;
    const renderDigest = deps.renderDigest;
    const renderIntroduction = deps.renderIntroduction;
    const renderNudge = deps.renderNudge;
    // Nudges look at every learner: once an hour is plenty for a once-a-week message.
    const nudgeNow = renderNudge !== undefined && now.getTime() - lastNudgeRound >= NUDGE_EVERY_MS;
    if (nudgeNow) lastNudgeRound = now.getTime();
    const posted =
      postDueAssignments(deps, now) +
      (renderReminder ? sendDueReminders({ ...deps, renderReminder }, now) : 0) +
      (renderDigest ? sendWeeklyDigests({ ...deps, renderDigest }, now) : 0) +
      (renderIntroduction ? pairStudyBuddies({ ...deps, renderIntroduction }, now) : 0) +
      (nudgeNow && renderNudge !== undefined ? sendNudges({ ...deps, renderNudge }, now) : 0) +
      (renderBoard ? refreshBoards({ ...deps, renderBoard }, now) : 0);
    if (posted > 0) deps.onPosted();
    return posted;
  };
  return {
    start() {
      tick();
      task = cron.schedule('* * * * *', () => void tick(), { name: 'assignment-posts', noOverlap: true });
    },
    stop() {
      void task?.stop();
      void task?.destroy();
    },
    tick,
  };
}
