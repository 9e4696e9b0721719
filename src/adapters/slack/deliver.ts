import type { WebClient } from '@slack/web-api';
import { replySchema } from '../../chat/reply-schema.ts';
import type { Reply } from '../../chat/reply.ts';
import type { Logger } from '../../logger.ts';
import { PermanentDeliveryError, type Deliver, type Delivery } from '../../outbox/outbox-worker.ts';
import { renderSlackMessage } from './render-blocks.ts';
import { explainSlackError } from './setup-error.ts';
import { logUploadFailure, uploadFiles, type FileTarget } from './upload-files.ts';

/** The message metadata event type that tags every outbox post with its key (Slack has no idempotency key). */
export const OUTBOX_EVENT_TYPE = 'cohort_bot_outbox';
/** Look this far before the earlier attempt: our clock and Slack's may disagree. */
const CLOCK_SKEW_MS = 2 * 60_000;
const PAGE_SIZE = 100;
/** A crashed attempt is recent; a channel busier than this many messages since is not worth paging through. */
const MAX_PAGES = 5;

/** Web API errors that retrying cannot fix. */
const PERMANENT_ERRORS = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_blocks', 'msg_too_long', 'restricted_action']);

/**
 * Posts outbox messages with chat.postMessage, each tagged with its outbox key in message metadata. When an earlier
 * attempt's outcome is unknown, it first looks for a message with that key and returns it instead of posting twice;
 * if it cannot look (a missing scope, a channel the bot is not in) it posts anyway: at least once beats lost.
 */
/** `postClient` makes the chat.postMessage calls: one without retries of its own (see the Slack adapter). */
export function createSlackDeliver(client: WebClient, logger: Logger, present: (reply: Reply) => Reply = (reply) => reply, postClient: WebClient = client): Deliver {
  async function findPosted(channel: string, key: string, since: Date): Promise<string | undefined> {
    const oldest = ((since.getTime() - CLOCK_SKEW_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await client.conversations.history({ channel, oldest, limit: PAGE_SIZE, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
      const found = result.messages?.find((m) => m.metadata?.event_type === OUTBOX_EVENT_TYPE && (m.metadata.event_payload as { key?: unknown } | undefined)?.key === key);
      if (found?.ts) return found.ts;
      cursor = result.response_metadata?.next_cursor;
      if (!result.has_more || !cursor) return undefined;
    }
    logger.warn({ outboxKey: key, channel, pages: MAX_PAGES }, 'stopped looking for an earlier attempt of an outbox message after the last page');
    return undefined;
  }

  async function lookForEarlier({ channelId, recipientUserId, key }: Delivery, since: Date): Promise<string | undefined> {
    try {
      // History is read by conversation id: a direct message's is the D… id of the app's IM with the user.
      const channel = recipientUserId ? (await client.conversations.open({ users: recipientUserId })).channel?.id : channelId;
      if (!channel) throw new Error('conversations.open returned no channel');
      return await findPosted(channel, key, since);
    } catch (error) {
      // Only the error code and the fix-it hint: never the error object, which may carry request details.
      const code = (error as { data?: { error?: string } }).data?.error ?? (error as { code?: string }).code;
      logger.warn({ outboxKey: key, channel: channelId, code, hint: explainSlackError(error)?.message }, 'could not look for an earlier attempt of an outbox message; posting it, which may repeat it');
      return undefined;
    }
  }

  /**
   * Uploads a delivered message's files into its conversation. The message is out already, so a failed upload is
   * logged and not thrown: the outbox would post the whole message again, and Slack has no idempotency key for it.
   */
  async function deliverFiles(reply: Reply, target: FileTarget, key: string): Promise<void> {
    if (!reply.files?.length) return;
    try {
      await uploadFiles(client, reply.files, target);
    } catch (error) {
      logUploadFailure(logger, error, { outboxKey: key, ...target, files: reply.files.map((f) => f.name) });
    }
  }

  /** The board message: chat.update in place; undefined when it is gone (deleted), so it is posted anew. */
  async function editMessage(channelId: string, ts: string, reply: Reply): Promise<string | undefined> {
    const message = renderSlackMessage(present(reply));
    try {
      await client.chat.update({ channel: channelId, ts, blocks: message.blocks, text: message.text });
      return ts;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === 'message_not_found' || code === 'cant_update_message') {
        logger.info({ channel: channelId, ts }, 'the message to edit is gone; posting it anew');
        return undefined;
      }
      const setup = explainSlackError(error);
      if (setup) throw new PermanentDeliveryError(setup.message);
      if (code && PERMANENT_ERRORS.has(code)) throw new PermanentDeliveryError(`Slack refused the edit for channel ${channelId}: ${code}`);
      throw error;
    }
  }

  return async (delivery) => {
    const { channelId, payload, recipientUserId, key, earlierAttemptAt, editOf } = delivery;
    const reply = replySchema.parse(payload);
    if (editOf && !recipientUserId) {
      const edited = await editMessage(channelId, editOf, reply);
      if (edited) return edited;
    }
    if (earlierAttemptAt) {
      const ts = await lookForEarlier(delivery, earlierAttemptAt);
      if (ts) {
        logger.info({ outboxKey: key, channel: channelId, ts }, 'an earlier attempt already posted this outbox message; not posting it again');
        // Whether that attempt got to its files is unknown: they are sent (again), since at least once beats lost.
        if (reply.files?.length) await deliverFiles(reply, recipientUserId ? { userId: recipientUserId } : { channelId }, key);
        return ts;
      }
    }
    const message = renderSlackMessage(present(reply));
    let posted: { ts?: string; channel?: string };
    try {
      // A user id as the channel posts in the app's direct messages with that user.
      const result = await postClient.chat.postMessage({
        channel: recipientUserId ?? channelId,
        blocks: message.blocks,
        text: message.text,
        metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key } },
      });
      posted = { ...(result.ts ? { ts: result.ts } : {}), ...(result.channel ? { channel: result.channel } : {}) };
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      const setup = explainSlackError(error);
      if (setup) throw new PermanentDeliveryError(setup.message);
      if (code && PERMANENT_ERRORS.has(code)) throw new PermanentDeliveryError(`Slack refused the message for channel ${channelId}: ${code}`);
      throw error;
    }
    // The files follow the message into the same conversation: chat.postMessage answers its id (the D… of a DM).
    const target: FileTarget = posted.channel ? { channelId: posted.channel } : recipientUserId ? { userId: recipientUserId } : { channelId };
    await deliverFiles(reply, target, key);
    return posted.ts;
  };
}
