import type { Reply, ReplyField } from '../../chat/reply.ts';

/** Slack's documented Block Kit limits; a message over any of them is refused with invalid_blocks. */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  buttonsPerActions: 25,
  buttonText: 75,
  url: 3000,
  contextText: 3000,
} as const;

// Block Kit's shapes, reduced to the ones we send.
type Text = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type Block =
  | { type: 'header'; text: Text }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'actions'; elements: { type: 'button'; text: Text; url: string; action_id: string }[] }
  | { type: 'image'; image_url: string; alt_text: string }
  | { type: 'divider' };

export interface SlackMessage {
  blocks: Block[];
  /** Shown in notifications and by clients that cannot show blocks. */
  text: string;
  ephemeral: boolean;
}

const TONE_MARK = { info: '', success: ':white_check_mark: ', warning: ':warning: ', error: ':x: ' } as const;

/**
 * A Reply as Block Kit within Slack's limits, with a plain-text fallback: header, text sections, inline fields
 * side by side, link buttons, image, footer as context. Whatever does not fit in 50 blocks is dropped with a note.
 */
export function renderSlackMessage(reply: Reply): SlackMessage {
  const blocks: Block[] = [];
  const mark = TONE_MARK[reply.tone ?? 'info'];
  if (reply.title) blocks.push({ type: 'header', text: { type: 'plain_text', text: cut(`${mark}${reply.title}`, SLACK_LIMITS.headerText), emoji: true } });
  if (reply.text) for (const chunk of chunks(mrkdwn(reply.text), SLACK_LIMITS.sectionText)) blocks.push(section(chunk));
  blocks.push(...fieldBlocks(reply.fields ?? []));

  const buttons = (reply.links ?? []).filter((link) => /^https?:\/\//.test(link.url) && link.url.length <= SLACK_LIMITS.url);
  const otherLinks = (reply.links ?? []).filter((link) => !buttons.includes(link));
  for (let i = 0; i < buttons.length; i += SLACK_LIMITS.buttonsPerActions) {
    blocks.push({
      type: 'actions',
      elements: buttons.slice(i, i + SLACK_LIMITS.buttonsPerActions).map((link, j) => ({
        type: 'button',
        text: { type: 'plain_text', text: cut(link.label || link.url, SLACK_LIMITS.buttonText), emoji: true },
        url: link.url,
        action_id: `link-${i + j}`,
      })),
    });
  }
  if (otherLinks.length > 0) blocks.push(section(cut(otherLinks.map((l) => `• ${escape(l.label)}: ${escape(l.url)}`).join('\n'), SLACK_LIMITS.sectionText)));
  if (reply.image) blocks.push({ type: 'image', image_url: reply.image.url, alt_text: cut(reply.image.alt, 2000) });

  const footer = reply.footer ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: cut(mrkdwn(reply.footer), SLACK_LIMITS.contextText) }] }] : [];
  let kept = [...blocks, ...footer];
  if (kept.length > SLACK_LIMITS.blocks) {
    const note: Block = { type: 'context', elements: [{ type: 'mrkdwn', text: `Trimmed to fit Slack${reply.links?.[0] ? `: ${reply.links[0].url}` : '.'}` }] };
    kept = [...blocks.slice(0, SLACK_LIMITS.blocks - 1), note];
  }
  return { blocks: kept, text: fallbackText(reply), ephemeral: reply.private };
}

function fieldBlocks(fields: readonly ReplyField[]): Block[] {
  const blocks: Block[] = [];
  let inline: Text[] = [];
  const flush = () => {
    if (inline.length > 0) blocks.push({ type: 'section', fields: inline });
    inline = [];
  };
  for (const field of fields) {
    const text = `*${escape(field.name)}*\n${mrkdwn(field.value)}`;
    if (field.inline) {
      inline.push({ type: 'mrkdwn', text: cut(text, SLACK_LIMITS.fieldText) });
      if (inline.length === SLACK_LIMITS.fieldsPerSection) flush();
      continue;
    }
    flush();
    for (const chunk of chunks(text, SLACK_LIMITS.sectionText)) blocks.push(section(chunk));
  }
  flush();
  return blocks;
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function fallbackText(reply: Reply): string {
  return cut([reply.title, reply.text].filter(Boolean).join('\n') || 'cohort-bot', 3000);
}

/** Our light markdown (`code`, **bold**) in Slack's mrkdwn, with &, < and > escaped as Slack requires. */
export function mrkdwn(text: string): string {
  return escape(text).replace(/\*\*([^*]+)\*\*/g, '*$1*');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Splits at line breaks into pieces of at most `limit` characters (a single over-long line is cut). */
function chunks(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    if (current !== '') pieces.push(current);
    current = cut(line, limit);
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
