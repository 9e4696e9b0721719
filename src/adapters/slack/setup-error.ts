/** A Slack setup problem the operator fixes in the app settings or .env; shown as one line, exit code 2. */
export class SlackSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackSetupError';
  }
}

const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

/** Known Web API failures at start turned into what to do; undefined when the failure is not a known one. */
export function explainSlackError(error: unknown): SlackSetupError | undefined {
  const data = (error as { data?: { error?: string; needed?: string } })?.data;
  if (data?.error && TOKEN_ERRORS.has(data.error)) {
    return new SlackSetupError(
      `Slack refused SLACK_BOT_TOKEN (${data.error}): copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, and reinstall the app if it was revoked.`,
    );
  }
  if (data?.error === 'missing_scope') {
    return new SlackSetupError(
      `The Slack app lacks the scope ${data.needed ?? '(unknown)'}: regenerate the manifest with npm run slack:manifest, update the app from it and reinstall.`,
    );
  }
  return undefined;
}
