import type { Reply } from './reply.ts';

/**
 * How a command is typed on one platform, e.g. `join` → `/cohort-bot join` on a Slack workspace where `/join` is
 * Slack's own. Commands write the plain `/join`; an adapter whose platform types it differently rewrites the
 * reply with `renameCommands`, so every message names the form that works where it is read.
 */
export type CommandForm = (command: string) => string;

/**
 * A command mention: a slash at the start of a word (not inside a URL or path) followed by a command name; the
 * name must be a known command, so `/foo` and `https://x.org/module` are left alone.
 */
const MENTION = /(?<![\w/.:-])\/([a-z][a-z0-9-]*)(?![\w/-])/g;

export function renameInText(text: string, known: ReadonlySet<string>, form: CommandForm): string {
  return text.replace(MENTION, (whole, name: string) => (known.has(name) ? form(name) : whole));
}

/** The reply with every command mention in its texts in the platform's form; links and buttons are untouched. */
export function renameCommands(reply: Reply, known: ReadonlySet<string>, form: CommandForm): Reply {
  const rename = (text: string) => renameInText(text, known, form);
  return {
    ...reply,
    ...(reply.title !== undefined ? { title: rename(reply.title) } : {}),
    ...(reply.text !== undefined ? { text: rename(reply.text) } : {}),
    ...(reply.footer !== undefined ? { footer: rename(reply.footer) } : {}),
    ...(reply.fields ? { fields: reply.fields.map((field) => ({ ...field, name: rename(field.name), value: rename(field.value) })) } : {}),
  };
}
