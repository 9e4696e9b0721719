import { createHash, randomBytes } from 'node:crypto';
import { viewProblems } from './block-kit.ts';

/**
 * What FakeSlack keeps of views: each user's published Home tab (views.publish), the modals opened (views.open),
 * and the trigger ids handed out in interaction payloads, which views.open takes once and within 3 seconds.
 * Views are answered the way Slack echoes them back (ViewOutput in @slack/bolt): ids, hash, defaults filled in.
 */

export type View = Record<string, unknown> & { id: string; type: string; blocks: unknown[]; hash: string };

type Params = Record<string, unknown>;
type Answer = Record<string, unknown> & { ok: boolean };

export const VIEW_OWNER = { teamId: 'T0COHORT1', appId: 'A0COHORTBOT', botId: 'B0BOT' } as const;

export class FakeViews {
  /** The Home tab each user sees now, by user id. */
  readonly homeViews = new Map<string, View>();
  readonly published: { userId: string; view: View }[] = [];
  readonly opened: { userId: string; triggerId: string; view: View }[] = [];
  /** views.update calls, in order; the modal in `opened` is replaced too. */
  readonly updated: { viewId: string; view: View }[] = [];
  /** How long a trigger id can be exchanged; Slack's is 3 seconds. */
  triggerTtlMs = 3000;
  private readonly triggers = new Map<string, { userId: string; issuedAt: number; exchanged: boolean }>();
  private nextId = 1;

  /** A fresh trigger id for an interaction by this user, shaped like Slack's (`<digits>.<digits>.<hex>`). */
  issueTrigger(userId: string): string {
    const id = `${Date.now()}.${1_000_000_000 + this.triggers.size}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { userId, issuedAt: Date.now(), exchanged: false });
    return id;
  }

  /** views.publish: a `home` view for `user_id`; `hash`, when given, must be the current view's (else hash_conflict). */
  publish(params: Params): { answer: Answer; record?: { userId: string; view: View } } {
    const userId = typeof params.user_id === 'string' ? params.user_id : '';
    const view = parseView(params.view);
    if (!userId || !view) return { answer: invalidArguments(userId ? 'missing required field: view' : 'missing required field: user_id', '') };
    if (view.type !== 'home') return { answer: invalidArguments('must be a valid enum value', '/view/type') };
    const problems = viewProblems(view, 'home');
    if (problems.length > 0) return { answer: refusal(problems) };
    const current = this.homeViews.get(userId);
    if (params.hash !== undefined && params.hash !== '' && params.hash !== current?.hash) return { answer: { ok: false, error: 'hash_conflict' } };
    // A user's Home tab keeps its id across publishes; the hash changes every time.
    const output = this.output(view, current?.id);
    this.homeViews.set(userId, output);
    const record = { userId, view: output };
    this.published.push(record);
    return { answer: { ok: true, view: output }, record };
  }

  /** views.open: a `modal`, for a trigger id this fake issued, exchanged once, within `triggerTtlMs`. */
  open(params: Params): { answer: Answer; record?: { userId: string; triggerId: string; view: View } } {
    const triggerId = typeof params.trigger_id === 'string' ? params.trigger_id : '';
    const view = parseView(params.view);
    if (!triggerId || !view) return { answer: invalidArguments(triggerId ? 'missing required field: view' : 'missing required field: trigger_id', '') };
    const trigger = this.triggers.get(triggerId);
    if (!trigger) return { answer: { ok: false, error: 'invalid_trigger_id' } };
    if (trigger.exchanged) return { answer: { ok: false, error: 'exchanged_trigger_id' } };
    if (Date.now() - trigger.issuedAt > this.triggerTtlMs) return { answer: { ok: false, error: 'expired_trigger_id' } };
    if (view.type !== 'modal') return { answer: invalidArguments('must be a valid enum value', '/view/type') };
    // A refused view leaves the trigger unexchanged: nothing was opened.
    const problems = viewProblems(view, 'modal');
    if (problems.length > 0) return { answer: refusal(problems) };
    trigger.exchanged = true;
    const record = { userId: trigger.userId, triggerId, view: this.output(view) };
    this.opened.push(record);
    return { answer: { ok: true, view: record.view }, record };
  }

  /** views.update: replaces an open modal by `view_id` (no trigger needed, as on Slack); unknown ids are not_found. */
  update(params: Params): { answer: Answer; record?: { viewId: string; view: View } } {
    const viewId = typeof params.view_id === 'string' ? params.view_id : '';
    const view = parseView(params.view);
    if (!viewId || !view) return { answer: invalidArguments(viewId ? 'missing required field: view' : 'missing required field: view_id', '') };
    const open = this.opened.find((o) => o.view.id === viewId);
    if (!open) return { answer: { ok: false, error: 'not_found' } };
    if (view.type !== 'modal') return { answer: invalidArguments('must be a valid enum value', '/view/type') };
    const problems = viewProblems(view, 'modal');
    if (problems.length > 0) return { answer: refusal(problems) };
    open.view = this.output(view, viewId);
    const record = { viewId, view: open.view };
    this.updated.push(record);
    return { answer: { ok: true, view: open.view }, record };
  }

  /** A view as Slack answers it: every ViewOutput field, and block ids (and action ids) Slack made up where none were given. */
  output(view: Params, id = this.newId()): View {
    return {
      id,
      team_id: VIEW_OWNER.teamId,
      type: String(view.type),
      blocks: withGeneratedIds(Array.isArray(view.blocks) ? view.blocks : []),
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      // A Home view has no title of its own; Slack fills in this placeholder.
      title: view.title ?? { type: 'plain_text', text: 'View Title', emoji: true },
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: null,
      root_view_id: id,
      app_id: VIEW_OWNER.appId,
      external_id: view.external_id ?? '',
      app_installed_team_id: VIEW_OWNER.teamId,
      bot_id: VIEW_OWNER.botId,
    };
  }

  private newId(): string {
    return `V0VIEW${String(this.nextId++).padStart(5, '0')}`;
  }
}

/**
 * Blocks as Slack stores them: a block without block_id, or an interactive element without action_id, gets one
 * made up (short and opaque on Slack, e.g. "=qXel"; derived from position and content here, so the same blocks get
 * the same ids every time they are echoed).
 */
export function withGeneratedIds(blocks: unknown[]): unknown[] {
  return blocks.map((block, i) => {
    if (!isObject(block)) return block;
    const made: Params = { ...block, block_id: block.block_id ?? shortId(`${i}:${JSON.stringify(block)}`) };
    const withAction = (element: unknown, j: number) =>
      isObject(element) && element.type !== 'image' && element.action_id === undefined
        ? { ...element, action_id: shortId(`${i}/${j}:${JSON.stringify(element)}`) }
        : element;
    if (block.type === 'actions' && Array.isArray(block.elements)) made.elements = block.elements.map(withAction);
    if (block.type === 'section' && block.accessory !== undefined) made.accessory = withAction(block.accessory, 0);
    return made;
  });
}

/** A view argument: a JSON string in form bodies (as the WebClient sends it), an object in JSON bodies. */
function parseView(value: unknown): Params | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return isObject(parsed) ? parsed : undefined;
}

/** How views.* refuse a view: invalid_arguments, the pointers in response_metadata (not invalid_blocks as chat.* do). */
function refusal(problems: string[]): Answer {
  return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems.map((problem) => `[ERROR] ${problem}`) } };
}

function invalidArguments(problem: string, pointer: string): Answer {
  return refusal([`${problem} [json-pointer:${pointer || '/'}]`]);
}

function shortId(seed: string): string {
  return createHash('sha1').update(seed).digest('base64url').slice(0, 5);
}

function isObject(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
