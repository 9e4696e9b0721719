import { defineCommand } from '../src/chat/define-command.ts';
import { enrolledOnly, requireGithub, requireLearner } from '../src/chat/guards.ts';
import { UserError } from '../src/chat/user-error.ts';
import { syncSummary } from '../src/chat/views/sync-summary.ts';

/** GitHub tells us about finished checks by itself; this is for the impatient, so it is kept cheap. */
export const SYNC_INTERVAL_MS = 60_000;

export default defineCommand({
  name: 'sync',
  description: 'Refresh your exercise results from your GitHub repo now',
  guards: [enrolledOnly],
  async run(ctx) {
    const github = requireGithub(ctx);
    const learner = requireLearner(ctx);
    const { store } = ctx.services;
    if (!learner.githubRepo || !learner.githubVerifiedAt) {
      throw new UserError('github-link', 'You have not linked a GitHub repo yet.', 'Type /link-github login:<your login> repo:<owner/name> to link it.');
    }
    const waitMs = store.rateLimits.claim(`sync:${learner.id}`, ctx.now, SYNC_INTERVAL_MS);
    if (waitMs > 0) {
      const wait = Math.ceil(waitMs / 1000);
      throw new UserError('too-soon', 'You synced less than a minute ago.', `Try again in ${wait} s; finished checks also arrive by themselves.`);
    }
    const report = await github.sync([learner], { force: true, wait: false });
    return {
      title: `Synced ${learner.githubRepo}`,
      fields: syncSummary(learner, report, ctx.services),
      footer: '/progress shows every exercise.',
      tone: report.failures.length > 0 ? 'warning' : 'success',
      private: true,
    };
  },
});
