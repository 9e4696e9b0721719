import { formatDayInZone } from '../src/core/calendar.ts';
import type { ExerciseResult, Learner } from '../src/core/cohort.ts';
import { moduleLabel, type Exercise } from '../src/core/course.ts';
import { isReleased } from '../src/core/schedule.ts';
import { defineCommand } from '../src/chat/define-command.ts';
import { inCohort, organiserOnly, requireCohort, requireLearner, settleOrganiser } from '../src/chat/guards.ts';
import { userOption } from '../src/chat/options.ts';
import { UserError } from '../src/chat/user-error.ts';
import type { ReplyField } from '../src/chat/reply.ts';
import type { SyncState } from '../src/store/github-links.ts';
import { windowsFor } from '../src/chat/views/cohort-progress.ts';
import { failingTestsLine } from '../src/chat/views/failing-tests.ts';
import { progressBar } from '../src/chat/views/module-view.ts';

/** One exercise as a line: credit first (kept once earned), then what the latest run said if it differs. */
function exerciseLine(exercise: Exercise, result: ExerciseResult | undefined, timezone: string): string {
  const failing = result?.status === 'failed' && result.failing ? failingTestsLine(result.failing.tests) : undefined;
  return statusLine(exercise, result, timezone) + (failing ? `\n    ${failing}` : '');
}

function statusLine(exercise: Exercise, result: ExerciseResult | undefined, timezone: string): string {
  const name = `${exercise.title} (\`${exercise.id}\`)`;
  if (result?.firstPassedAt) {
    const since = result.status === 'passed' ? '' : ` — latest run: ${result.detail ?? result.status}`;
    return `✅ ${name}, passed ${formatDayInZone(result.firstPassedAt, timezone)}${since}`;
  }
  if (!result) return `⬜ ${name}`;
  const mark = { pending: '⏳', failed: '❌', tampered: '⚠️', passed: '✅' }[result.status];
  return `${mark} ${name}${result.detail ? ` — ${result.detail}` : ''}`;
}

function footerFor(learner: Learner, sync: SyncState | undefined): string {
  if (!learner.githubRepo || !learner.githubVerifiedAt) return 'Link your GitHub repo with /link-github so your CI results count.';
  if (sync?.error) return `Last sync: ${sync.error}`;
  if (sync?.courseVersion === 'earlier') {
    return 'Your repo has the course as it was when you started: exercises added since have no check in it, so they cannot count yet. Ask your organiser to update it (your work is kept).';
  }
  return 'Results come from your repo’s CI checks; /sync refreshes them now.';
}

export default defineCommand({
  name: 'progress',
  description: 'Your exercises at a glance: done, failing, not counted, and your points',
  options: { learner: userOption({ description: "Organisers: a learner whose progress to see, as they see it" }) },
  guards: [inCohort],
  async run(ctx) {
    const cohort = requireCohort(ctx);
    const asked = ctx.options.learner;
    let learner = ctx.learner;
    if (asked !== undefined && asked !== ctx.invocation.user.id) {
      // Someone else's progress is for organisers: settled here, since the command itself is for everyone.
      await settleOrganiser(ctx);
      organiserOnly(ctx);
      learner = ctx.services.store.learners.find(cohort.id, asked);
      if (!learner) throw new UserError('not-a-learner', `They have not joined ${cohort.name}.`, 'Check the name, or ask them to join.');
    } else {
      learner = requireLearner(ctx);
    }
    const results = new Map(ctx.services.store.results.listForLearner(learner.id).map((r) => [r.exerciseId, r]));
    const windows = windowsFor(cohort, ctx.services).filter((w) => isReleased(w, ctx.now) || w.module.exercises.some((e) => results.get(e.id)?.firstPassedAt));
    const all = ctx.services.course.modules.flatMap((m) => m.exercises);
    const done = all.filter((e) => results.get(e.id)?.firstPassedAt);
    const board = ctx.services.store.standings.board(cohort, ctx.services.course, ctx.now, { top: 0, learnerId: learner.id });
    const score = board.learner;
    const standing = score
      ? ` · ${score.points} points${score.bonus > 0 ? ` (${score.bonus} on-time bonus)` : ''} · rank ${score.rank} of ${board.total}${score.streak > 1 ? ` · 🔥 ${score.streak} weeks` : ''}`
      : ' · not on the leaderboard';
    const fields: ReplyField[] = windows.map((window) => ({
      name: moduleLabel(window.module),
      value: window.module.exercises.map((e) => exerciseLine(e, results.get(e.id), cohort.timezone)).join('\n'),
    }));
    return {
      title: `${learner.displayName}'s progress in ${cohort.name}`,
      text: `${progressBar(done.length, all.length)} exercises${standing}${learner.githubRepo ? ` · repo ${learner.githubRepo}` : ''}`,
      fields: fields.length > 0 ? fields : [{ name: 'Nothing released yet', value: 'Module 01 opens at the first post of the cohort.' }],
      footer: footerFor(learner, ctx.services.store.syncState.get(learner.id)),
      private: true,
    };
  },
});
