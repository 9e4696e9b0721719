import { networkErrorCode } from '../network-error.ts';

/** A Slack setup problem the operator fixes in the app settings or .env; shown as one line, exit code 2. */
export class SlackSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackSetupError';
  }
}

const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

/**
 * Known Web API failures at start turned into what to do; undefined when the failure is not a known one.
 * `token` is the variable whose token made the failing call: auth.test uses the bot token, Socket Mode's
 * apps.connections.open the app-level token.
 */
export function explainSlackError(error: unknown, token: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN' = 'SLACK_BOT_TOKEN'): SlackSetupError | undefined {
  const data = (error as { data?: { error?: string; needed?: string } })?.data;
  if (data?.error && TOKEN_ERRORS.has(data.error)) {
    const where =
      token === 'SLACK_BOT_TOKEN'
        ? 'copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, and reinstall the app if it was revoked'
        : 'copy an app-level token (xapp-…) with the connections:write scope from Basic Information → App-Level Tokens';
    return new SlackSetupError(`Slack refused ${token} (${data.error}): ${where}.`);
  }
  if (data?.error === 'missing_scope') {
    return new SlackSetupError(
      `The Slack app lacks the scope ${data.needed ?? '(unknown)'}: regenerate the manifest with npm run slack:manifest, update the app from it and reinstall.`,
    );
  }
  return undefined;
}

/**
 * At start only: no answer at all from the Web API once the client's own retries are spent, so the fix is the
 * network or the URL. (A send that gets no answer later is retried by the outbox, never given up on.)
 */
export function explainSlackUnreachable(error: unknown): SlackSetupError | undefined {
  if ((error as { code?: unknown })?.code !== 'slack_webapi_request_error') return undefined;
  const why = networkErrorCode(error) ?? 'no answer';
  return new SlackSetupError(`could not reach Slack's Web API (${why}): check this machine's network access to slack.com, and SLACK_API_URL if you set it.`);
}
