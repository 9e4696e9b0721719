import { actionId, distinctActions } from '../../chat/reply-actions.ts';
import type { Reply, ReplyAction, ReplyField } from '../../chat/reply.ts';

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
  | { type: 'actions'; elements: Button[] }
  | { type: 'image'; image_url: string; alt_text: string }
  | { type: 'divider' };

/** A link button (url) or one that runs a command (action_id `run:…`, see reply-actions). */
export type Button = { type: 'button'; text: Text; action_id: string; url?: string; value?: string; style?: 'primary' };

export interface SlackRenderOptions {
  /** Carried by every command button (the Home tab puts the cohort's channel here: a view has no channel). */
  actionValue?: string;
}

export interface SlackMessage {
  blocks: Block[];
  /** Shown in notifications and by clients that cannot show blocks. */
  text: string;
  ephemeral: boolean;
}

const TONE_MARK = { info: '', success: ':white_check_mark: ', warning: ':warning: ', error: ':x: ' } as const;

/**
 * A Reply as Block Kit within Slack's limits, with a plain-text fallback: header, text sections, inline fields
 * side by side, link buttons, image, command buttons, footer as context. Whatever does not fit in 50 blocks is dropped with a note.
 */
export function renderSlackMessage(reply: Reply, options: SlackRenderOptions = {}): SlackMessage {
  const blocks: Block[] = [];
  const mark = TONE_MARK[reply.tone ?? 'info'];
  if (reply.title) blocks.push({ type: 'header', text: { type: 'plain_text', text: cut(`${mark}${reply.title}`, SLACK_LIMITS.headerText), emoji: true } });
  if (reply.text) for (const chunk of chunks(mrkdwn(reply.text), SLACK_LIMITS.sectionText)) blocks.push(section(chunk));
  // The only `<@…>` a message holds: user ids checked, so no text can become <!here> or <!everyone>.
  const mentions = slackMentions(reply);
  if (mentions) blocks.push(section(mentions));
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
  // Command buttons come last and survive trimming: they are how the reader goes on.
  const commandButtons = distinctActions(reply.actions ?? []).map((action) => commandButton(action, options.actionValue));
  const commandBlocks: Block[] = [];
  for (let i = 0; i < commandButtons.length; i += SLACK_LIMITS.buttonsPerActions) {
    commandBlocks.push({ type: 'actions', elements: commandButtons.slice(i, i + SLACK_LIMITS.buttonsPerActions) });
  }
  let kept = [...blocks, ...commandBlocks, ...footer];
  if (kept.length > SLACK_LIMITS.blocks) {
    const note: Block = { type: 'context', elements: [{ type: 'mrkdwn', text: `Trimmed to fit Slack${reply.links?.[0] ? `: ${reply.links[0].url}` : '.'}` }] };
    kept = [...blocks.slice(0, SLACK_LIMITS.blocks - 1 - commandBlocks.length), ...commandBlocks, note];
  }
  return { blocks: kept, text: fallbackText(reply), ephemeral: reply.private };
}

/** Slack's limit on a view's blocks (Home tab, modal); a message has 50. */
export const VIEW_BLOCKS = 100;

/**
 * Several replies as one view (the Home tab): each rendered as a message, separated by dividers, within 100 blocks;
 * a reply that no longer fits is left out with a note, whole, so no section loses its buttons.
 */
export function renderSlackView(parts: readonly { reply: Reply; options?: SlackRenderOptions }[]): Block[] {
  const blocks: Block[] = [];
  for (const [i, part] of parts.entries()) {
    const rendered = renderSlackMessage(part.reply, part.options).blocks;
    const divider: Block[] = i === 0 ? [] : [{ type: 'divider' }];
    if (blocks.length + divider.length + rendered.length > VIEW_BLOCKS - 1) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${parts.length - i} more not shown: there is no room left on this page.` }] });
      break;
    }
    blocks.push(...divider, ...rendered);
  }
  return blocks;
}

function commandButton(action: ReplyAction, value: string | undefined): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: cut(action.label, SLACK_LIMITS.buttonText), emoji: true },
    action_id: actionId(action),
    ...(value ? { value } : {}),
    ...(action.style === 'primary' ? { style: 'primary' as const } : {}),
  };
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
  // Slack reads this text as mrkdwn too (notifications show it): escaped, so `<!channel>` in a name pings nobody.
  return cut([reply.title && escape(reply.title), reply.text && escape(reply.text), slackMentions(reply)].filter(Boolean).join('\n') || 'cohort-bot', 3000);
}

function slackMentions(reply: Reply): string | undefined {
  const users = (reply.mentions ?? []).filter((id) => /^[UW][A-Z0-9]{2,}$/.test(id));
  return users.length > 0 ? users.map((id) => `<@${id}>`).join(' ') : undefined;
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
