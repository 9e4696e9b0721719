import type { Reply } from '../reply.ts';
import { replySchema } from '../reply-schema.ts';

/**
 * Celebrations due at the same moment in one channel (a poll after downtime, a cohort pushing before a deadline),
 * as one message: a line per learner, so the channel is not flooded. Each line is the celebration's title, and for
 * several passes of one learner the exercises it lists (the first line of its text, see celebration.ts).
 */
export function celebrationBurstReply(payloads: readonly unknown[]): Reply {
  const lines = payloads.map((payload) => {
    const reply = replySchema.parse(payload);
    const [first = '', ...rest] = (reply.text ?? '').split('\n');
    const listed = rest.length > 0 ? ` — ${first}` : '';
    return `• ${(reply.title ?? '').replace(/^🎉\s*/u, '')}${listed}`;
  });
  return {
    title: `🎉 ${lines.length} new passes`,
    text: lines.join('\n'),
    footer: 'Counted from passing CI checks on their repos. /leaderboard shows where everyone stands.',
    tone: 'success',
    private: false,
  };
}
