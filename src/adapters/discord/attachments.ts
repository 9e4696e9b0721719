import type { RawFile } from 'discord.js';
import type { ReplyFile } from '../../chat/reply.ts';

/** Discord's limits on a message's files: how many, and how long an attachment's description (alt text) may be. */
export const ATTACHMENT_LIMITS = { files: 10, description: 1024 } as const;

/** A reply's files as discord.js takes them for interaction replies, edits and follow-ups (sent as multipart `files[n]`). */
export interface DiscordJsFile {
  attachment: Buffer;
  name: string;
  description: string;
}

/** What the files become on Discord: discord.js attachments, or @discordjs/rest raw files with their `attachments` entries. */
export function discordJsFiles(files: readonly ReplyFile[] | undefined): DiscordJsFile[] {
  return within(files).map((file) => ({ attachment: bytesOf(file), name: file.name, description: describe(file) }));
}

/**
 * The files for `client.rest.post(…, { body, files })`: @discordjs/rest puts each in a `files[n]` part with its
 * content type and the body in `payload_json`; the body's `attachments` (id n, filename, description) name them.
 */
export function restFiles(files: readonly ReplyFile[] | undefined): { files: RawFile[]; attachments: { id: number; filename: string; description: string }[] } {
  const kept = within(files);
  return {
    files: kept.map((file) => ({ name: file.name, data: bytesOf(file), contentType: file.contentType })),
    attachments: kept.map((file, index) => ({ id: index, filename: file.name, description: describe(file) })),
  };
}

function within(files: readonly ReplyFile[] | undefined): readonly ReplyFile[] {
  return (files ?? []).slice(0, ATTACHMENT_LIMITS.files);
}

function bytesOf(file: ReplyFile): Buffer {
  return Buffer.from(file.base64, 'base64');
}

function describe(file: ReplyFile): string {
  const chars = [...file.description];
  return chars.length <= ATTACHMENT_LIMITS.description ? file.description : `${chars.slice(0, ATTACHMENT_LIMITS.description - 1).join('')}…`;
}
