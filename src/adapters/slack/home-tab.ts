import type { WebClient } from '@slack/web-api';
import type { Services } from '../../chat/context.ts';
import type { Reply } from '../../chat/reply.ts';
import { learnerHome, type HomeEntry } from '../../chat/views/learner-home.ts';
import type { Learner } from '../../core/cohort.ts';
import type { Logger } from '../../logger.ts';
import { renderSlackView } from './render-blocks.ts';

export interface HomeTab {
  /** Publishes the user's Home tab now (on app_home_opened). */
  publish(workspaceId: string, userId: string): Promise<void>;
  /** Their results changed: republished shortly, once however many passes arrive together. */
  refresh(learners: readonly Learner[]): void;
  /** Cohorts of this workspace the user is a learner of, for the buttons of their Home tab. */
  entries(workspaceId: string, userId: string): HomeEntry[];
  stop(): void;
}

/** Passes of one push arrive together (one job per exercise): their refreshes are gathered this long. */
const REFRESH_GATHER_MS = 1000;

/**
 * The Slack Home tab: each learner's own page, published with views.publish. Each cohort's buttons carry that
 * cohort's channel in their value (a view has no channel); a click is checked against the clicker's cohorts.
 */
export function createHomeTab(options: { client: WebClient; services: Services; present: (reply: Reply) => Reply; logger: Logger; gatherMs?: number }): HomeTab {
  const { client, services, present, logger } = options;
  const { store } = services;
  const due = new Map<string, { workspaceId: string; userId: string }>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function entries(workspaceId: string, userId: string): HomeEntry[] {
    return store.cohorts.listInWorkspace('slack', workspaceId).flatMap((cohort) => {
      const learner = store.learners.find(cohort.id, userId);
      return learner ? [{ cohort, learner }] : [];
    });
  }

  async function publish(workspaceId: string, userId: string): Promise<void> {
    const mine = entries(workspaceId, userId);
    const replies = learnerHome(mine, services, services.clock.now());
    const blocks = renderSlackView(replies.map((reply, i) => ({ reply: present(reply), options: { actionValue: mine[i]?.cohort.channelId } })));
    await client.views.publish({ user_id: userId, view: { type: 'home', blocks } });
  }

  async function flush(): Promise<void> {
    timer = undefined;
    const batch = [...due.values()];
    due.clear();
    // One at a time: views.publish is rate limited per app, and a pass burst should not become a request burst.
    for (const { workspaceId, userId } of batch) {
      if (stopped) return;
      await publish(workspaceId, userId).catch((error: unknown) =>
        logger.warn({ user: userId, code: (error as { data?: { error?: string } }).data?.error ?? (error as Error).message }, 'could not update a Home tab'),
      );
    }
  }

  return {
    publish,
    entries,
    refresh(learners) {
      for (const learner of learners) {
        const cohort = store.cohorts.findById(learner.cohortId);
        if (cohort?.platform !== 'slack') continue;
        due.set(`${cohort.workspaceId}/${learner.platformUserId}`, { workspaceId: cohort.workspaceId, userId: learner.platformUserId });
      }
      if (due.size > 0 && !timer && !stopped) timer = setTimeout(() => void flush(), options.gatherMs ?? REFRESH_GATHER_MS);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
