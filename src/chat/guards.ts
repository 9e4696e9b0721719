import type { Cohort, Learner } from '../core/cohort.ts';
import type { CommandContext, GithubPort } from './context.ts';
import type { Action, Command, Guard } from './define-command.ts';
import { UserError } from './user-error.ts';

/** The cohort of this channel, or a UserError saying there is none. Narrows the type for the command. */
export function requireCohort(ctx: CommandContext<unknown>): Cohort {
  if (!ctx.cohort) {
    throw new UserError(
      'no-cohort',
      'There is no cohort in this channel.',
      'Ask an organiser which channel the cohort uses, or to set one up here.',
    );
  }
  return ctx.cohort;
}

/** The asker as a learner of this channel's cohort, or a UserError telling them how to join. */
export function requireLearner(ctx: CommandContext<unknown>): Learner {
  const cohort = requireCohort(ctx);
  if (!ctx.learner) {
    throw new UserError('not-joined', `You have not joined ${cohort.name} yet.`, 'Type /join to join it; it takes a second.');
  }
  return ctx.learner;
}

/** The command only makes sense in a channel that has a cohort. */
export const inCohort: Guard = (ctx) => {
  requireCohort(ctx);
};

/** The command is for learners who joined this channel's cohort. */
export const enrolledOnly: Guard = (ctx) => {
  requireLearner(ctx);
};

const ORGANISERS = {
  discord: 'members with the Manage Server permission and the people this cohort lists as organisers',
  slack: 'workspace admins and the people this cohort lists as organisers',
  console: 'whoever runs the terminal',
} as const;

/**
 * Organiser commands: the platform's admins (Manage Server, Slack workspace admins, the local user) and the
 * organisers listed for the channel's cohort.
 */
export const organiserOnly: Guard = (ctx) => {
  // An unsettled lazy check counts as "no": fail closed if settleOrganiser was skipped.
  if (!ctx.invocation.user.isOrganiser && !isListedOrganiser(ctx)) {
    const who = ORGANISERS[ctx.invocation.platform];
    throw new UserError('not-organiser', 'Only the cohort organisers can do that.', `Organisers here are ${who}.`);
  }
};

function isListedOrganiser(ctx: CommandContext<unknown>): boolean {
  return ctx.cohort !== undefined && ctx.services.store.organisers.has(ctx.cohort.id, ctx.invocation.user.id);
}

/** The chosen action is for organisers: the whole command is, or the action lists the organiserOnly guard. */
export function needsOrganiser(command: Command, action: Action): boolean {
  return command.organiserOnly || action.guards.includes(organiserOnly);
}

/**
 * Settles `isOrganiser` from the platform's lazy check (Slack's users.info) before organiserOnly runs; skipped
 * when already known or the asker is a listed organiser, so the call is made only when it can change the answer.
 */
export async function settleOrganiser(ctx: CommandContext<unknown>): Promise<void> {
  const { user } = ctx.invocation;
  if (user.isOrganiser !== undefined || !user.resolveOrganiser || isListedOrganiser(ctx)) return;
  ctx.invocation = { ...ctx.invocation, user: { ...user, isOrganiser: await user.resolveOrganiser() } };
}

/** The bot's GitHub connection, or a UserError saying the organiser has not set one up. */
export function requireGithub(ctx: CommandContext<unknown>): GithubPort {
  if (!ctx.services.github) {
    throw new UserError(
      'github-off',
      'This bot is not connected to GitHub yet, so repos cannot be linked or synced.',
      'Ask an organiser to set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_PRIVATE_KEY (see .env.example).',
    );
  }
  return ctx.services.github;
}
