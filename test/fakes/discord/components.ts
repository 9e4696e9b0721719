import { ButtonStyle, ComponentType, RESTJSONErrorCodes } from 'discord-api-types/v10';

/**
 * The message-body rules Discord enforces that a bot can get wrong: action rows of buttons, and embed limits.
 * A body that breaks one is answered 400 "Invalid Form Body" (50035) with the errors nested by field path, which
 * discord.js prints as `components[0].components[1].custom_id[BASE_TYPE_BAD_LENGTH]: Must be between 1 and 100 in length.`
 * Components the fake does not model (select menus, Components V2, premium buttons) are refused as FAKE_UNSUPPORTED,
 * so a test that uses one fails loudly instead of passing against rules nobody checked.
 * Limits are from Discord's docs (component reference, embed limits); the error codes are Discord's where known
 * from real responses (BASE_TYPE_*, COMPONENT_CUSTOM_ID_DUPLICATED, MAX_EMBED_SIZE_EXCEEDED), otherwise descriptive.
 */

export interface FormProblem {
  path: (string | number)[];
  code: string;
  message: string;
}

const MAX_ROWS = 5;
const MAX_BUTTONS_PER_ROW = 5;
const CUSTOM_ID_MAX = 100;
const LABEL_MAX = 80;
const URL_MAX = 512;
const STYLES: readonly number[] = [ButtonStyle.Primary, ButtonStyle.Secondary, ButtonStyle.Success, ButtonStyle.Danger, ButtonStyle.Link];

const EMBEDS_MAX = 10;
const EMBEDS_TOTAL_MAX = 6000;
const FIELDS_MAX = 25;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Discord counts characters, not UTF-16 units: an emoji in a label is one. */
const length = (text: string): number => [...text].length;

/** Every rule the message's `components` break, structured for the nested `errors` of a 400. */
export function componentErrors(components: unknown): FormProblem[] {
  if (components === undefined || components === null) return [];
  if (!Array.isArray(components)) return [{ path: ['components'], code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }];
  const problems: FormProblem[] = [];
  if (components.length > MAX_ROWS) problems.push({ path: ['components'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_ROWS} or fewer in length.` });
  // custom_id is unique across the whole message, not per row: it is how the click finds its button.
  const seen = new Set<string>();
  components.forEach((row: unknown, r) => {
    if (!isObject(row) || row.type !== ComponentType.ActionRow) {
      problems.push({ path: ['components', r, 'type'], code: 'FAKE_UNSUPPORTED', message: 'The fake models only action rows (type 1) at the top level.' });
      return;
    }
    const buttons = Array.isArray(row.components) ? (row.components as unknown[]) : [];
    if (buttons.length < 1 || buttons.length > MAX_BUTTONS_PER_ROW) {
      problems.push({ path: ['components', r, 'components'], code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between 1 and ${MAX_BUTTONS_PER_ROW} in length.` });
    }
    buttons.forEach((button, b) => problems.push(...buttonErrors(button, ['components', r, 'components', b], seen)));
  });
  return problems;
}

function buttonErrors(button: unknown, at: (string | number)[], seen: Set<string>): FormProblem[] {
  if (!isObject(button) || button.type !== ComponentType.Button) {
    return [{ path: [...at, 'type'], code: 'FAKE_UNSUPPORTED', message: 'The fake models only buttons (type 2) inside action rows.' }];
  }
  const problems: FormProblem[] = [];
  const problem = (field: string, code: string, message: string) => problems.push({ path: [...at, field], code, message });
  if (!STYLES.includes(button.style as number)) problem('style', 'BASE_TYPE_CHOICES', `Value must be one of {${STYLES.join(', ')}}.`);
  if (button.style === ButtonStyle.Link) {
    // A link button opens its url in the client; Discord never hears of the click, so it has no custom_id.
    if (typeof button.url !== 'string' || button.url === '') problem('url', 'BASE_TYPE_REQUIRED', 'This field is required');
    else if (length(button.url) > URL_MAX) problem('url', 'BASE_TYPE_MAX_LENGTH', `Must be ${URL_MAX} or fewer in length.`);
    if (button.custom_id != null) problem('custom_id', 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED', 'A link button (style 5) cannot have a custom_id.');
  } else {
    if (button.url != null) problem('url', 'BUTTON_COMPONENT_URL_NOT_ALLOWED', 'Only a link button (style 5) can have a url.');
    const id = button.custom_id;
    if (typeof id !== 'string') problem('custom_id', 'BASE_TYPE_REQUIRED', 'This field is required');
    else if (length(id) < 1 || length(id) > CUSTOM_ID_MAX) problem('custom_id', 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${CUSTOM_ID_MAX} in length.`);
    else if (seen.has(id)) problem('custom_id', 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id was already specified');
    if (typeof id === 'string') seen.add(id);
  }
  if (button.label !== undefined && (typeof button.label !== 'string' || length(button.label) > LABEL_MAX)) {
    problem('label', 'BASE_TYPE_MAX_LENGTH', `Must be ${LABEL_MAX} or fewer in length.`);
  }
  if (button.disabled !== undefined && typeof button.disabled !== 'boolean') problem('disabled', 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
  return problems;
}

/** The rules `components` break, one line each, worded as discord.js prints Discord's errors. */
export function componentProblems(components: unknown): string[] {
  return componentErrors(components).map(describeProblem);
}

/** Embed limits: per field, at most 10 embeds, and 6000 characters across all of a message's embeds. */
export function embedErrors(embeds: unknown): FormProblem[] {
  if (embeds === undefined || embeds === null) return [];
  if (!Array.isArray(embeds)) return [{ path: ['embeds'], code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }];
  const problems: FormProblem[] = [];
  if (embeds.length > EMBEDS_MAX) problems.push({ path: ['embeds'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${EMBEDS_MAX} or fewer in length.` });
  let total = 0;
  const text = (value: unknown, path: (string | number)[], max: number) => {
    if (typeof value !== 'string') return;
    total += length(value);
    if (length(value) > max) problems.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
  };
  embeds.forEach((embed: unknown, e) => {
    if (!isObject(embed)) return;
    text(embed.title, ['embeds', e, 'title'], 256);
    text(embed.description, ['embeds', e, 'description'], 4096);
    if (isObject(embed.footer)) text(embed.footer.text, ['embeds', e, 'footer', 'text'], 2048);
    if (isObject(embed.author)) text(embed.author.name, ['embeds', e, 'author', 'name'], 256);
    const fields = Array.isArray(embed.fields) ? (embed.fields as unknown[]) : [];
    if (fields.length > FIELDS_MAX) problems.push({ path: ['embeds', e, 'fields'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${FIELDS_MAX} or fewer in length.` });
    fields.forEach((field, f) => {
      if (!isObject(field)) return;
      text(field.name, ['embeds', e, 'fields', f, 'name'], 256);
      text(field.value, ['embeds', e, 'fields', f, 'value'], 1024);
    });
  });
  if (total > EMBEDS_TOTAL_MAX) problems.push({ path: ['embeds'], code: 'MAX_EMBED_SIZE_EXCEEDED', message: `Embed size exceeds maximum size of ${EMBEDS_TOTAL_MAX}` });
  return problems;
}

/** What is wrong with a message body (channel message, interaction callback `data`, webhook edit or follow-up). */
export function messageProblems(body: unknown): FormProblem[] {
  if (!isObject(body)) return [];
  return [...componentErrors(body.components), ...embedErrors(body.embeds)];
}

/** Discord's 400 body: `errors` nests by field path, with `_errors` at the leaf. */
export function invalidFormBody(problems: FormProblem[]): { message: string; code: number; errors: Json } {
  const errors: Json = {};
  for (const { path, code, message } of problems) {
    let node = errors;
    for (const key of path) node = (node[String(key)] ??= {}) as Json;
    ((node._errors ??= []) as unknown[]).push({ code, message });
  }
  return { message: 'Invalid Form Body', code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, errors };
}

/** The button with this custom_id among the message's action rows, if any. */
export function findButton(components: unknown, customId: string): Json | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const row of components as unknown[]) {
    if (!isObject(row) || !Array.isArray(row.components)) continue;
    const button = (row.components as unknown[]).find((c) => isObject(c) && c.type === ComponentType.Button && c.custom_id === customId);
    if (button) return button as Json;
  }
  return undefined;
}

function describeProblem({ path, code, message }: FormProblem): string {
  const where = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
  return `${where}[${code}]: ${message}`;
}
