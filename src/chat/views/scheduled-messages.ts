import type { Course, ContentLinks } from '../../core/course.ts';
import type { AssignmentJobDeps } from '../../scheduler/assignment-job.ts';
import type { BoardJobDeps } from '../../scheduler/board-job.ts';
import type { BuddyJobDeps } from '../../scheduler/buddy-job.ts';
import type { DigestJobDeps } from '../../scheduler/digest-job.ts';
import type { NudgeJobDeps } from '../../scheduler/nudge-job.ts';
import type { ReminderJobDeps } from '../../scheduler/reminder-job.ts';
import { assignmentReply } from './assignment.ts';
import { buddyIntroductionReply } from './buddies.ts';
import { boardMessageReply } from './leaderboard-lines.ts';
import { nudgeReply } from './nudge.ts';
import { reminderReply } from './reminder.ts';
import { weeklyDigestReply } from './weekly-digest.ts';

type Renders = Pick<AssignmentJobDeps, 'render'> &
  Pick<BoardJobDeps, 'renderBoard'> &
  Pick<ReminderJobDeps, 'renderReminder'> &
  Pick<DigestJobDeps, 'renderDigest'> &
  Pick<BuddyJobDeps, 'renderIntroduction'> &
  Pick<NudgeJobDeps, 'renderNudge'>;

/** Every message the scheduler's jobs send, worded by the chat views: one wiring for the app and the simulation. */
export function scheduledMessages(course: Course, links: ContentLinks): Renders {
  return {
    render: (window, cohort) => assignmentReply(window, cohort, links),
    renderBoard: (board, cohort) => boardMessageReply(board, cohort, course),
    renderReminder: (facts, cohort) => reminderReply(facts, cohort, links),
    renderDigest: (facts, cohort) => weeklyDigestReply(facts, cohort),
    renderIntroduction: buddyIntroductionReply,
    renderNudge: (nudge, learner, cohort) => nudgeReply(nudge, learner, cohort, course, links),
  };
}
