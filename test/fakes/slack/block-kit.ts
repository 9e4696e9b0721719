/**
 * Block Kit as Slack checks it, for the block types this app sends (header, section, context, actions, image,
 * divider) with their published limits, so the fake refuses what Slack refuses. Problems read like Slack's own
 * `errors` lines: "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]".
 *
 * Any other block type (input, rich_text, video, …) is refused as `unsupported type`, like a type Slack does not know:
 * teach this file the type before the app sends it. Interactive elements other than buttons are accepted with only
 * their action_id checked.
 */

export type Surface = 'message' | 'home' | 'modal';

export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  url: 3000,
  altText: 2000,
  blockId: 255,
  /** Any text object not limited more tightly (context elements, image titles). */
  text: 3000,
  viewTitle: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

/** Interactive elements Slack allows in an actions block or as a section accessory (see @slack/types). */
const INTERACTIVE = new Set([
  'button', 'checkboxes', 'datepicker', 'datetimepicker', 'overflow', 'radio_buttons', 'timepicker', 'workflow_button', 'rich_text_input',
  'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select',
  'multi_static_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select',
]);

type Json = Record<string, unknown>;

/** Where a surface's blocks sit in the request, as Slack's pointers name them. */
export function blocksPointer(surface: Surface): string {
  return surface === 'message' ? '/blocks' : '/view/blocks';
}

/** Slack's problems with these blocks on this surface; empty when Slack would take them. */
export function blockKitProblems(blocks: unknown, surface: Surface): string[] {
  const root = blocksPointer(surface);
  if (!Array.isArray(blocks)) return [at('must be an array', root)];
  const checker = new Checker();
  const max = surface === 'message' ? BLOCK_KIT_LIMITS.messageBlocks : BLOCK_KIT_LIMITS.viewBlocks;
  if (blocks.length > max) checker.problems.push(at(`no more than ${max} items allowed`, root));
  blocks.forEach((block, i) => checker.block(block, `${root}/${i}`));
  return checker.problems;
}

/**
 * Slack's problems with a view's own fields and its blocks (views.publish, views.open). The view's `type` is the
 * caller's to check: Slack answers a wrong type differently.
 */
export function viewProblems(view: Json, type: 'home' | 'modal'): string[] {
  const checker = new Checker();
  if (type === 'modal') {
    // A modal needs a title; its buttons' labels are as short (Slack's limit is 24 characters each).
    if (view.title === undefined) checker.problems.push(at('missing required field: title', '/view'));
    else checker.text(view.title, '/view/title', BLOCK_KIT_LIMITS.viewTitle, true);
    for (const button of ['close', 'submit'] as const) {
      if (view[button] !== undefined && view[button] !== null) checker.text(view[button], `/view/${button}`, BLOCK_KIT_LIMITS.viewTitle, true);
    }
  }
  checker.length(view.private_metadata, '/view/private_metadata', BLOCK_KIT_LIMITS.privateMetadata, true);
  checker.length(view.callback_id, '/view/callback_id', BLOCK_KIT_LIMITS.callbackId, true);
  if (view.blocks === undefined) checker.problems.push(at('missing required field: blocks', '/view'));
  return [...checker.problems, ...(view.blocks === undefined ? [] : blockKitProblems(view.blocks, type))];
}

class Checker {
  readonly problems: string[] = [];
  /**
   * block_id is unique within the message or view; action_id within its block, as Slack documents it ("unique among
   * all other action_ids in the containing block"): the same action_id in two blocks, told apart by block_id or
   * value, is taken.
   */
  private readonly blockIds = new Set<string>();
  private actionIds = new Set<string>();

  block(value: unknown, p: string): void {
    if (!isObject(value)) return void this.problems.push(at('must be an object', p));
    this.actionIds = new Set();
    if (value.block_id !== undefined) this.id(value.block_id, `${p}/block_id`, 'block_id', this.blockIds, BLOCK_KIT_LIMITS.blockId);
    switch (value.type) {
      case 'divider':
        break;
      case 'header':
        if (this.required(value, 'text', p)) this.text(value.text, `${p}/text`, BLOCK_KIT_LIMITS.headerText, true);
        break;
      case 'section':
        if (value.text === undefined && value.fields === undefined) this.problems.push(at('must define either `text` or `fields`', p));
        if (value.text !== undefined) this.text(value.text, `${p}/text`, BLOCK_KIT_LIMITS.sectionText);
        this.items(value.fields, `${p}/fields`, BLOCK_KIT_LIMITS.fields, false).forEach((field, i) => this.text(field, `${p}/fields/${i}`, BLOCK_KIT_LIMITS.fieldText));
        if (value.accessory !== undefined) this.element(value.accessory, `${p}/accessory`, true);
        break;
      case 'context':
        this.items(value.elements, `${p}/elements`, BLOCK_KIT_LIMITS.contextElements).forEach((element, i) => {
          if (isObject(element) && element.type === 'image') this.image(element, `${p}/elements/${i}`);
          else this.text(element, `${p}/elements/${i}`, BLOCK_KIT_LIMITS.text);
        });
        break;
      case 'actions':
        this.items(value.elements, `${p}/elements`, BLOCK_KIT_LIMITS.actionsElements).forEach((element, i) => this.element(element, `${p}/elements/${i}`, false));
        break;
      case 'image':
        this.image(value, p);
        if (value.title !== undefined) this.text(value.title, `${p}/title`, BLOCK_KIT_LIMITS.text, true);
        break;
      case undefined:
        this.problems.push(at('missing required field: type', p));
        break;
      default:
        this.problems.push(at(`unsupported type: ${String(value.type)}`, `${p}/type`));
    }
  }

  /** An interactive element: buttons in full, others by their action_id; an image only as a section accessory. */
  private element(value: unknown, p: string, accessory: boolean): void {
    if (!isObject(value)) return void this.problems.push(at('must be an object', p));
    if (accessory && value.type === 'image') return this.image(value, p);
    if (typeof value.type !== 'string' || !INTERACTIVE.has(value.type)) return void this.problems.push(at(`unsupported type: ${String(value.type)}`, `${p}/type`));
    // Slack makes up an action_id when there is none.
    if (value.action_id !== undefined) this.id(value.action_id, `${p}/action_id`, 'action_id', this.actionIds, BLOCK_KIT_LIMITS.actionId);
    if (value.type !== 'button') return;
    if (this.required(value, 'text', p)) this.text(value.text, `${p}/text`, BLOCK_KIT_LIMITS.buttonText, true);
    this.length(value.value, `${p}/value`, BLOCK_KIT_LIMITS.buttonValue, true);
    this.length(value.url, `${p}/url`, BLOCK_KIT_LIMITS.url);
    this.length(value.accessibility_label, `${p}/accessibility_label`, BLOCK_KIT_LIMITS.buttonText);
    if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') this.problems.push(at('must be a valid enum value', `${p}/style`));
  }

  /** An image block or element: a URL (or a Slack file) and alt text. */
  private image(value: Json, p: string): void {
    if (value.image_url === undefined && value.slack_file === undefined) this.problems.push(at('must provide either `image_url` or `slack_file`', p));
    this.length(value.image_url, `${p}/image_url`, BLOCK_KIT_LIMITS.url);
    if (this.required(value, 'alt_text', p)) this.length(value.alt_text, `${p}/alt_text`, BLOCK_KIT_LIMITS.altText, true);
  }

  /** A text object: plain_text or mrkdwn (plain_text only where `plain`), non-empty, at most `max` characters. */
  text(value: unknown, p: string, max: number, plain = false): void {
    if (!isObject(value)) return void this.problems.push(at('must be an object', p));
    const types = plain ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (typeof value.type !== 'string' || !types.includes(value.type)) this.problems.push(at('must be a valid enum value', `${p}/type`));
    if (typeof value.text !== 'string') return void this.problems.push(at('missing required field: text', p));
    this.length(value.text, `${p}/text`, max);
  }

  /**
   * An optional string field (checked when present): at most `max` characters, and non-empty unless `mayBeEmpty`
   * (a button's value and an image's alt text, where an empty string is not known to be refused).
   */
  length(value: unknown, p: string, max: number, mayBeEmpty = false): void {
    if (value === undefined) return;
    if (typeof value !== 'string') return void this.problems.push(at('must be a string', p));
    const count = characters(value);
    if (count === 0 && !mayBeEmpty) this.problems.push(at('must be more than 0 characters', p));
    if (count > max) this.problems.push(at(`must be less than ${max + 1} characters`, p));
  }

  private id(value: unknown, p: string, name: string, seen: Set<string>, max: number): void {
    this.length(value, p, max);
    if (typeof value !== 'string') return;
    if (seen.has(value)) this.problems.push(at(`\`${name}\` "${value}" already exists`, p));
    seen.add(value);
  }

  /** The items of a non-empty array of at most `max`; none when the field is absent (a problem unless optional). */
  private items(value: unknown, p: string, max: number, required = true): unknown[] {
    const slash = p.lastIndexOf('/');
    if (value === undefined) {
      if (required) this.problems.push(at(`missing required field: ${p.slice(slash + 1)}`, p.slice(0, slash)));
      return [];
    }
    if (!Array.isArray(value)) {
      this.problems.push(at('must be an array', p));
      return [];
    }
    if (value.length === 0) this.problems.push(at('must provide at least 1 items', p));
    if (value.length > max) this.problems.push(at(`no more than ${max} items allowed`, p));
    return value;
  }

  private required(value: Json, field: string, p: string): boolean {
    if (value[field] !== undefined) return true;
    this.problems.push(at(`missing required field: ${field}`, p));
    return false;
  }
}

function at(problem: string, pointer: string): string {
  return `${problem} [json-pointer:${pointer}]`;
}

/**
 * Slack's limits are in characters; counted here as code points, so an emoji is one character (JavaScript's
 * `length` would count it as two). Where Slack counts otherwise, this errs towards accepting.
 */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
