/** Every kind of learner-facing failure, in one list so adapters and tests can tell them apart. */
export const USER_ERROR_CODES = [
  'unknown-command',
  'bad-option',
  'missing-option',
  'no-cohort',
  'not-joined',
  'cohort-paused',
  'not-organiser',
  'cohort-exists',
  'github-off',
  'github-link',
  'github-down',
  'too-soon',
  'cohort-calendar',
  'not-a-learner',
  'not-released',
  'no-hints',
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

/**
 * A failure the asker can do something about; its message is written for them and shown privately.
 * Anything thrown that is not a UserError is a bug: logged with an id, answered politely.
 */
export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    /** A next step, e.g. the command's usage. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
