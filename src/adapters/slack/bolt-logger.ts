import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

/**
 * Bolt's logger interface over our pino logger, so Bolt's lines are structured and redacted like ours; a failed
 * request signature also gets the operator's fix-it line, since it usually means a wrong signing secret.
 */
export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: (...parts) => logger.debug(text(parts)),
    info: (...parts) => logger.info(text(parts)),
    warn: (...parts) => {
      const message = text(parts);
      if (/Failed to parse and verify the request data/.test(message)) {
        logger.warn(
          { hint: 'If every Slack command fails, SLACK_SIGNING_SECRET does not match the Signing Secret under Basic Information of your Slack app.' },
          'a Slack request failed signature verification and was refused',
        );
        return;
      }
      logger.warn(message);
    },
    error: (...parts) => logger.error(text(parts)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
