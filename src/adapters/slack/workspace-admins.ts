import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.ts';
import { explainSlackError } from './setup-error.ts';

const TTL_MS = 5 * 60_000;

/**
 * Whether a Slack user is a workspace admin or owner (users.info), cached for five minutes so a burst of
 * commands costs one call (commands arriving while it is under way share it). A failed lookup counts as
 * "not an admin": listed organisers still pass.
 */
export function createAdminCheck(client: WebClient, logger: Logger): (userId: string) => Promise<boolean> {
  const cache = new Map<string, { admin: boolean; until: number }>();
  const pending = new Map<string, Promise<boolean>>();
  return (userId) => {
    const cached = cache.get(userId);
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.admin);
    let lookup = pending.get(userId);
    if (!lookup) {
      lookup = lookUp(userId).finally(() => pending.delete(userId));
      pending.set(userId, lookup);
    }
    return lookup;
  };

  async function lookUp(userId: string): Promise<boolean> {
    try {
      const { user } = await client.users.info({ user: userId });
      const admin = Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
      cache.set(userId, { admin, until: Date.now() + TTL_MS });
      return admin;
    } catch (error) {
      const hint = explainSlackError(error)?.message;
      logger.warn({ err: error, user: userId, hint }, 'could not look up a Slack user; treating them as a member');
      return false;
    }
  }
}
