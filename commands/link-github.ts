import { randomBytes } from 'node:crypto';
import { parseGithubLogin, parseGithubRepo } from '../src/core/github-names.ts';
import { defineCommandGroup, defineSubcommand } from '../src/chat/define-command.ts';
import { enrolledOnly, requireCohort, requireGithub, requireLearner } from '../src/chat/guards.ts';
import { stringOption } from '../src/chat/options.ts';
import type { CommandContext } from '../src/chat/context.ts';
import type { Reply } from '../src/chat/reply.ts';
import type { Learner } from '../src/core/cohort.ts';
import { UserError } from '../src/chat/user-error.ts';
import { syncSummary } from '../src/chat/views/sync-summary.ts';
import { quoted } from '../src/core/quoted.ts';

export const VERIFY_FILE = '.cohort-verify';

const refuse = (message: string, hint?: string): never => {
  throw new UserError('github-link', message, hint);
};

/** GitHub being down or slow is not the learner's doing: say so, and keep the details for the log. */
async function fromGithub<T>(ctx: { logger: { warn(obj: object, msg: string): void } }, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    ctx.logger.warn({ err: error }, 'GitHub read for linking failed');
    throw new UserError('github-down', 'GitHub did not answer just now, so I could not check your repo.', 'Nothing was changed; try again in a minute.');
  }
}

/** Each /link-github reads GitHub a few times: one per learner this often keeps a repeated one cheap. */
export const LINK_INTERVAL_MS = 15_000;

function limitPerLearner(ctx: CommandContext<unknown>, learner: Learner, step: 'start' | 'verify'): void {
  const waitMs = ctx.services.store.rateLimits.claim(`link-github-${step}:${learner.id}`, ctx.now, LINK_INTERVAL_MS);
  if (waitMs > 0) {
    throw new UserError('too-soon', `You ran /link-github ${step} a moment ago.`, `Try again in ${Math.ceil(waitMs / 1000)} s.`);
  }
}

const start = defineSubcommand({
  description: 'Link your GitHub repo: you get a code to put in it, then run /link-github verify',
  options: {
    login: stringOption({ description: 'Your GitHub login, e.g. octocat', required: true, maxLength: 40, multiWord: false, placeholder: 'login' }),
    repo: stringOption({ description: 'Your course repo: owner/name or its URL', required: true, maxLength: 200, multiWord: false, placeholder: 'owner/name' }),
  },
  guards: [enrolledOnly],
  async run(ctx): Promise<Reply> {
    const github = requireGithub(ctx);
    const cohort = requireCohort(ctx);
    const learner = requireLearner(ctx);
    const login = parseGithubLogin(ctx.options.login);
    if (!login.ok) return refuse(login.error);
    const parsed = parseGithubRepo(ctx.options.repo);
    if (!parsed.ok) return refuse(parsed.error);
    const repo = `${parsed.value.owner}/${parsed.value.name}`;
    if (parsed.value.owner.toLowerCase() !== login.value.toLowerCase()) {
      return refuse(`${repo} belongs to ${parsed.value.owner}, not to ${login.value}.`, 'Link a repo under your own account: create it from the course starter, then try again.');
    }
    if (ctx.services.store.learners.repoHolder(cohort.id, repo, learner.id)) {
      return refuse(`Someone else in ${cohort.name} has already linked ${repo}.`, 'Each learner links their own repo. If that is yours, ask an organiser.');
    }
    // Limited only once GitHub is about to be asked: a typo fixed at once is not made to wait.
    limitPerLearner(ctx, learner, 'start');
    const info = await fromGithub(ctx, github.repo(repo, ctx.now));
    if (!info) {
      const where = github.mode === 'app' ? "and that the course's GitHub App is installed on it" : 'and that it is public';
      return refuse(`I cannot find ${repo} on GitHub.`, `Check the spelling ${where}, then try again.`);
    }
    if (info.ownerLogin.toLowerCase() !== login.value.toLowerCase()) {
      return refuse(`GitHub says ${repo} belongs to ${info.ownerLogin}, not to ${login.value}.`, 'Link a repo under your own account.');
    }
    const code = `cohort-verify-${randomBytes(6).toString('hex')}`;
    ctx.services.store.linkRequests.issue({ learnerId: learner.id, login: info.ownerLogin, repo: info.fullName, code, issuedAt: ctx.now });
    return {
      title: `One step left: show that ${info.fullName} is yours`,
      text: `Put this code in the repo, then type /link-github verify:\n\`${code}\``,
      fields: [
        { name: 'Either', value: `a file \`${VERIFY_FILE}\` on the \`${info.defaultBranch}\` branch containing the code` },
        { name: 'Or', value: "the repo's description (Settings → About) containing the code" },
      ],
      footer: learner.githubRepo ? `Until then your results still come from ${learner.githubRepo}.` : 'A new /link-github replaces this code.',
      private: true,
    };
  },
});

const verify = defineSubcommand({
  description: 'Check the code in your repo and finish linking it',
  guards: [enrolledOnly],
  async run(ctx): Promise<Reply> {
    const github = requireGithub(ctx);
    const cohort = requireCohort(ctx);
    const learner = requireLearner(ctx);
    const { store } = ctx.services;
    const request = store.linkRequests.find(learner.id);
    if (!request) return refuse('There is no link waiting to be verified.', 'Start with /link-github login:<your login> repo:<owner/name>.');
    limitPerLearner(ctx, learner, 'verify');
    const info = await fromGithub(ctx, github.repo(request.repo, ctx.now));
    if (!info) return refuse(`I cannot find ${request.repo} on GitHub any more.`, 'Check it still exists, then start again with /link-github.');
    if (info.ownerLogin.toLowerCase() !== request.login.toLowerCase()) {
      return refuse(`GitHub says ${request.repo} now belongs to ${info.ownerLogin}.`, 'Start again with /link-github and a repo of your own.');
    }
    const file = await fromGithub(ctx, github.file(info.fullName, VERIFY_FILE, info.defaultBranch, ctx.now));
    if (!file?.includes(request.code) && !info.description?.includes(request.code)) {
      if (file !== undefined) {
        // The file is the learner's own text: bounded and cleaned like any echoed value, and no code span broken.
        const shown = quoted(file).replace(/`/g, "'");
        return refuse(`${VERIFY_FILE} on ${info.defaultBranch} does not hold your code (it says ${shown}).`, `Put exactly \`${request.code}\` in it, push, and run /link-github verify again.`);
      }
      return refuse(
        `I found no ${VERIFY_FILE} file on ${info.defaultBranch}, and your code is not in the repo's description.`,
        `Add \`${request.code}\` to one of them (push the file to ${info.defaultBranch}), then run /link-github verify again.`,
      );
    }
    const relinked = learner.githubRepo !== null && learner.githubRepo.toLowerCase() !== info.fullName.toLowerCase();
    try {
      // The cohort's unique index on repos refuses one that another learner linked since /link-github start.
      store.transaction(() => {
        store.learners.linkGithub(learner.id, info.ownerLogin, info.fullName, ctx.now);
        store.linkRequests.remove(learner.id);
        if (relinked) store.syncState.forget(learner.id);
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return refuse(`Someone else in ${cohort.name} linked ${info.fullName} first.`);
      throw error;
    }
    const linked = store.learners.get(learner.id) ?? learner;
    const report = await github.sync([linked], { force: true, wait: false }).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'first sync after linking failed');
      return undefined;
    });
    return {
      title: `Linked: ${info.fullName}`,
      text: `${relinked ? `Your results now come from ${info.fullName} instead of ${learner.githubRepo}. Credit already earned is kept. ` : ''}Each exercise counts as done when its CI check passes on ${info.defaultBranch}. You may delete ${VERIFY_FILE} now.`,
      fields: report ? syncSummary(linked, report, ctx.services) : [],
      footer: 'Results update by themselves when your checks finish; /sync refreshes them now.',
      tone: 'success',
      private: true,
    };
  },
});

export default defineCommandGroup({
  name: 'link-github',
  description: 'Link your GitHub repo, so your passing CI checks count',
  subcommands: { start, verify },
  defaultSubcommand: 'start',
});
