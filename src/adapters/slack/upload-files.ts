import type { WebClient } from '@slack/web-api';
import type { Reply, ReplyFile } from '../../chat/reply.ts';
import type { Logger } from '../../logger.ts';
import { explainSlackError } from './setup-error.ts';

/**
 * A reply's files on Slack. Slack has no ephemeral files: a public reply's files are uploaded to its channel, a
 * private reply's to the asker's direct messages with the app, and the private answer says so. Uploads use
 * files.uploadV2 (files.getUploadURLExternal per file, the bytes POSTed to each upload_url, then one
 * files.completeUploadExternal sharing them all into the conversation); they need the files:write scope.
 */

/** Slack refuses an image description (alt text) over 1,000 characters (alt_txt_too_large). */
const ALT_TEXT_MAX = 1000;

/** Where files go: a conversation id (C…, G…, D…), or a user, whose direct message with the app is opened first. */
export type FileTarget = { channelId: string } | { userId: string };

/** "a.png", "a.png and b.csv", "a.png, b.csv and c.csv". */
export function fileNames(files: readonly ReplyFile[]): string {
  const names = files.map((file) => file.name);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The line a private answer gets when its files went to the asker's direct messages. */
export function directMessageNote(files: readonly ReplyFile[]): string {
  return `I sent ${fileNames(files)} to you in a direct message.`;
}

/** A private reply with files, as shown on Slack: its footer says the files went to a direct message. */
export function withDirectMessageNote(reply: Reply): Reply {
  if (!reply.private || !reply.files?.length) return reply;
  const note = directMessageNote(reply.files);
  return { ...reply, footer: reply.footer ? `${reply.footer}\n${note}` : note };
}

/** Where a reply's files go: the asker's direct messages for a private reply (or when there is no channel), else the channel. */
export function replyFilesTarget(reply: Reply, where: { userId: string; channelId: string | undefined }): FileTarget {
  return reply.private || !where.channelId ? { userId: where.userId } : { channelId: where.channelId };
}

/**
 * Uploads the files into one conversation, in one share (one message holding them all, introduced by
 * `initialComment` when given). Returns the conversation id and the Slack file ids. Throws the WebClient's error.
 */
export async function uploadFiles(
  client: WebClient,
  files: readonly ReplyFile[],
  target: FileTarget,
  options: { initialComment?: string } = {},
): Promise<{ channelId: string; fileIds: string[] }> {
  if (files.length === 0) throw new Error('uploadFiles: no files');
  // completeUploadExternal shares into a conversation id; a user's is the D… of the app's IM with them.
  const channelId = 'channelId' in target ? target.channelId : (await client.conversations.open({ users: target.userId })).channel?.id;
  if (!channelId) throw new Error('conversations.open returned no channel');
  const result = await client.files.uploadV2({
    channel_id: channelId,
    ...(options.initialComment ? { initial_comment: options.initialComment } : {}),
    file_uploads: files.map((file) => ({
      file: Buffer.from(file.base64, 'base64'),
      filename: file.name,
      title: file.name,
      // Slack shows alt text for images only.
      ...(file.contentType.startsWith('image/') ? { alt_text: cut(file.description, ALT_TEXT_MAX) } : {}),
    })),
  });
  const completions = (result as { files?: { files?: { id?: string }[] }[] }).files ?? [];
  return { channelId, fileIds: completions.flatMap((c) => c.files ?? []).flatMap((f) => (f.id ? [f.id] : [])) };
}

/** The Slack error code and the fix-it hint of a failed upload, for logs: never the error object, which may carry request details. */
export function uploadFailure(error: unknown): { code: string | undefined; hint: string | undefined } {
  const code = (error as { data?: { error?: string } }).data?.error ?? (error as { code?: string }).code;
  return { code, hint: explainSlackError(error)?.message };
}

/** What the asker is told, privately, when their files could not be sent. */
export function filesNotSentReply(files: readonly ReplyFile[], error: unknown): Reply {
  const { code } = uploadFailure(error);
  const why = code === 'missing_scope' ? 'I am not allowed to upload files in this workspace yet.' : 'Slack did not take the upload.';
  return {
    title: files.length === 1 ? 'Sorry, I could not send the file' : 'Sorry, I could not send the files',
    text: `I could not send you ${fileNames(files)}. ${why}\nPlease let an organiser know if this keeps happening.`,
    tone: 'warning',
    private: true,
  };
}

/** Logs a failed upload with its code and hint (files:write missing, an outage), at warn: the bot goes on. */
export function logUploadFailure(logger: Logger, error: unknown, context: Record<string, unknown>): void {
  logger.warn({ ...context, ...uploadFailure(error) }, 'could not upload files to Slack');
}

function cut(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}
