import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed, type APIEmbedField } from 'discord.js';
import { actionId, distinctActions } from '../../chat/reply-actions.ts';
import type { Reply, ReplyAction, ReplyLink, ReplyTone } from '../../chat/reply.ts';

/** Discord's documented message and embed limits; a message over any of them is rejected outright. */
export const DISCORD_LIMITS = {
  embedsPerMessage: 10,
  charactersPerMessage: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
} as const;

const COLOURS: Record<ReplyTone, number> = { info: 0x5865f2, success: 0x57f287, warning: 0xfee75c, error: 0xed4245 };
const TRIMMED = 'Trimmed to fit Discord';

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

export interface DiscordMessage {
  /** The mentions, as `<@id>`: only message content pings, embeds never do. */
  content?: string;
  /** Exactly the users mentioned: nothing in the message can ping everyone, here or a role. */
  allowedMentions: { parse: []; users: string[] };
  embeds: APIEmbed[];
  /** The reply's command buttons, in rows; empty when it has none. */
  components: ButtonRow[];
  /** True when the reply is for the asker only (the Ephemeral flag). */
  ephemeral: boolean;
}

/**
 * A Reply as Discord embeds, always within Discord's limits: long texts are cut at a line, overflowing fields go
 * to further embeds, and what still does not fit is dropped with a note (and the first link) in the footer.
 */
export function renderDiscordMessage(reply: Reply): DiscordMessage {
  const colour = COLOURS[reply.tone ?? 'info'];
  const fields = [...(reply.fields ?? []).map(toField), ...linkFields(reply.links ?? [])];
  const first: APIEmbed = { color: colour };
  if (reply.title) first.title = cut(reply.title, DISCORD_LIMITS.title);
  if (reply.text) first.description = cut(reply.text, DISCORD_LIMITS.description);
  if (reply.image) first.image = { url: reply.image.url };

  const footerText = reply.footer ? cut(reply.footer, DISCORD_LIMITS.footer) : undefined;
  const trimmedNote = `${TRIMMED}${reply.links?.[0] ? `: ${reply.links[0].url}` : '.'}`.slice(0, DISCORD_LIMITS.footer);
  // Room kept for the footer (or the trim note, whichever is longer) so adding it never breaks the total.
  const footerRoom = Math.max(footerText?.length ?? 0, trimmedNote.length);
  const embeds: APIEmbed[] = [first];
  let used = size(first) + footerRoom;
  let trimmed = false;

  for (const field of fields) {
    const fieldSize = field.name.length + field.value.length;
    if (used + fieldSize > DISCORD_LIMITS.charactersPerMessage) {
      trimmed = true;
      break;
    }
    let current = embeds[embeds.length - 1] as APIEmbed;
    if ((current.fields?.length ?? 0) >= DISCORD_LIMITS.fields) {
      if (embeds.length >= DISCORD_LIMITS.embedsPerMessage) {
        trimmed = true;
        break;
      }
      current = { color: colour };
      embeds.push(current);
    }
    (current.fields ??= []).push(field);
    used += fieldSize;
  }

  const last = embeds[embeds.length - 1] as APIEmbed;
  const footer = trimmed ? trimmedNote : footerText;
  if (footer) last.footer = { text: footer };
  const users = (reply.mentions ?? []).filter((id) => /^\d{17,20}$/.test(id)).slice(0, 100);
  return {
    ...(users.length > 0 ? { content: users.map((id) => `<@${id}>`).join(' ') } : {}),
    allowedMentions: { parse: [], users },
    embeds,
    components: buttonRows(reply.actions ?? []),
    ephemeral: reply.private,
  };
}

/** Buttons in rows of five, at most five rows; the custom id names the command and nothing else. */
function buttonRows(actions: readonly ReplyAction[]): ButtonRow[] {
  const buttons = distinctActions(actions)
    .slice(0, DISCORD_LIMITS.actionRows * DISCORD_LIMITS.buttonsPerRow)
    .map(
      (action): APIButtonComponentWithCustomId => ({
        type: ComponentType.Button,
        style: action.style === 'primary' ? ButtonStyle.Primary : ButtonStyle.Secondary,
        label: cut(action.label, DISCORD_LIMITS.buttonLabel),
        custom_id: actionId(action),
      }),
    );
  const rows: ButtonRow[] = [];
  for (let i = 0; i < buttons.length; i += DISCORD_LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + DISCORD_LIMITS.buttonsPerRow) });
  }
  return rows;
}

function toField(field: { name: string; value: string; inline?: boolean }): APIEmbedField {
  return {
    name: cut(field.name || '\u200b', DISCORD_LIMITS.fieldName),
    value: cut(field.value || '\u200b', DISCORD_LIMITS.fieldValue),
    inline: field.inline ?? false,
  };
}

/** Links as markdown lines, packed into as few fields as the value limit allows. */
function linkFields(links: readonly ReplyLink[]): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) fields.push({ name: fields.length === 0 ? 'Links' : 'More links', value: lines.join('\n'), inline: false });
    lines = [];
  };
  for (const link of links) {
    const line = cut(/^https?:\/\//.test(link.url) ? `[${link.label.replace(/[[\]]/g, '')}](${link.url})` : `${link.label}: ${link.url}`, DISCORD_LIMITS.fieldValue);
    if ([...lines, line].join('\n').length > DISCORD_LIMITS.fieldValue) flush();
    lines.push(line);
  }
  flush();
  return fields;
}

/** Cuts at the last line break (or space) before the limit, ending with an ellipsis. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const room = text.slice(0, limit - 1);
  const at = Math.max(room.lastIndexOf('\n'), room.lastIndexOf(' '));
  return `${at > limit / 2 ? room.slice(0, at) : room}…`;
}

/** Characters Discord counts toward the 6,000 total: title, description, field names and values, footer. */
export function size(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}
