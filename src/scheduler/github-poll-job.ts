import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.ts';

/**
 * The periodic GitHub sync, the fallback for missed webhooks: every `minutes`, one poll of every linked learner.
 * The poll itself reads only what changed and never stacks on a poll still running.
 */
export function scheduleGithubPolls(poll: () => Promise<unknown>, minutes: number, logger: Logger): { stop(): void } {
  const task: ScheduledTask = cron.schedule(`*/${minutes} * * * *`, () => void poll().catch((error: unknown) => logger.error({ err: error }, 'GitHub poll failed')), {
    name: 'github-poll',
  });
  return {
    stop() {
      void task.stop();
      void task.destroy();
    },
  };
}
