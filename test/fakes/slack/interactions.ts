import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withGeneratedIds, type View } from './fake-views.ts';

/**
 * What Slack sends an app when a user clicks a button (a `block_actions` interaction payload) or opens its Home tab
 * (an `app_home_opened` event in an `event_callback` envelope), built from fixtures shaped like Slack's documented
 * examples. FakeSlack wraps them for the request URL (signed POST) or a Socket Mode envelope.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/slack');
const blockActionsTemplate = JSON.parse(readFileSync(path.join(FIXTURES, 'block-actions.json'), 'utf8')) as Record<string, unknown>;
const homeOpenedTemplate = JSON.parse(readFileSync(path.join(FIXTURES, 'app-home-opened.json'), 'utf8')) as Record<string, unknown> & { event: Record<string, unknown> };

export interface SlackUser {
  id: string;
  name: string;
}

export interface BlockActionInput {
  actionId: string;
  /** The button's value; by default the value of the button with this action_id where the user clicked it. */
  value?: string;
  user?: SlackUser;
  /** For `message`: the channel of the message; by default that of the newest posted message with the button. */
  channelId?: string;
  container: 'message' | 'home';
}

/** A message the app posted, as Slack echoes it in an interaction payload. */
export interface ClickedMessage {
  channel: { id: string; name: string };
  ts: string;
  text: string;
  blocks: unknown[];
}

/** Where the click happened: a message (with the response_url answering it) or the user's Home tab. */
export type ClickedSurface = { kind: 'message'; message: ClickedMessage; responseUrl: string } | { kind: 'home'; view: View };

export type BlockActionsPayload = Record<string, unknown> & {
  type: 'block_actions';
  trigger_id: string;
  container: Record<string, unknown>;
  actions: Record<string, unknown>[];
  response_url?: string;
};

/** The `block_actions` payload for a click on the button `actionId` (made up from the input if `surface` lacks it). */
export function blockActionsPayload(input: { actionId: string; value?: string; user: SlackUser; triggerId: string; surface: ClickedSurface; actionTs: string }): BlockActionsPayload {
  const { surface } = input;
  const blocks = surface.kind === 'message' ? surface.message.blocks : surface.view.blocks;
  const found = findButton(blocks, input.actionId, input.value);
  const value = input.value ?? (typeof found?.element.value === 'string' ? found.element.value : undefined);
  const action = {
    type: found?.element.type ?? 'button',
    action_id: input.actionId,
    block_id: found?.blockId ?? 'fake0',
    text: found?.element.text ?? { type: 'plain_text', text: input.actionId, emoji: true },
    ...(value !== undefined ? { value } : {}),
    ...(typeof found?.element.url === 'string' ? { url: found.element.url } : {}),
    ...(typeof found?.element.style === 'string' ? { style: found.element.style } : {}),
    action_ts: input.actionTs,
  };
  const { channel: _channel, message: templateMessage, response_url: _url, state, ...common } = blockActionsTemplate;
  const base = {
    ...common,
    type: 'block_actions' as const,
    user: { id: input.user.id, username: input.user.name, name: input.user.name, team_id: 'T0COHORT1' },
    trigger_id: input.triggerId,
    actions: [action],
  };
  if (surface.kind === 'home') {
    // From a view: no channel, no message and no response_url (answers go through views.publish).
    return { ...base, container: { type: 'view', view_id: surface.view.id }, view: surface.view };
  }
  const { message } = surface;
  return {
    ...base,
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel.id, is_ephemeral: false },
    channel: message.channel,
    message: { ...(templateMessage as Record<string, unknown>), text: message.text, ts: message.ts, blocks: withGeneratedIds(message.blocks) },
    state,
    response_url: surface.responseUrl,
  };
}

/** Blocks holding just this button: where a click lands when the test never showed the button anywhere. */
export function blocksWithButton(actionId: string, value: string | undefined): unknown[] {
  return [{ type: 'actions', elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text: actionId, emoji: true }, ...(value !== undefined ? { value } : {}) }] }];
}

/**
 * The interactive element with this action_id and its block's id (as Slack made it up if the app gave none). An
 * action_id may be in several blocks (it is unique per block): the one with this `value` is preferred, else the first.
 */
export function findButton(blocks: unknown[], actionId: string, value?: string): { blockId: string; element: Record<string, unknown> } | undefined {
  const found = (withGeneratedIds(blocks) as Record<string, unknown>[]).flatMap((block) => {
    const elements = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory] as (Record<string, unknown> | undefined)[];
    return elements.filter((e) => e?.action_id === actionId).map((element) => ({ blockId: String(block.block_id), element: element as Record<string, unknown> }));
  });
  return found.find((f) => value !== undefined && f.element.value === value) ?? found[0];
}

/**
 * The Events API envelope of `app_home_opened`. `view` is the user's published Home tab, sent only when there is one
 * and the Home tab was opened. (Slack's documented example writes event_ts without its dot; real ones have it.)
 */
export function appHomeOpenedEnvelope(input: { user: string; channel: string; tab: 'home' | 'messages'; view: View | undefined; eventId: string; now: number }): Record<string, unknown> {
  const seconds = Math.floor(input.now / 1000);
  return {
    ...homeOpenedTemplate,
    event: {
      type: 'app_home_opened',
      user: input.user,
      channel: input.channel,
      tab: input.tab,
      event_ts: `${seconds}.${String((input.now % 1000) * 1000).padStart(6, '0')}`,
      ...(input.view && input.tab === 'home' ? { view: input.view } : {}),
    },
    event_id: input.eventId,
    event_time: seconds,
  };
}
