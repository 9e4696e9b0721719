import type { Course, Exercise, Module } from '../core/course.ts';
import { parseExerciseRef, searchExercises } from '../core/exercise-ref.ts';
import { moduleLabel } from '../core/course.ts';
import { parseModuleRef, searchModules } from '../core/module-ref.ts';
import { parseDate, parsePostTime, parseTimezone } from '../core/calendar.ts';
import { err, ok, type Result } from '../core/result.ts';
import { quoted } from '../core/quoted.ts';

/** A value as an adapter hands it over: text from a terminal or Slack, typed from Discord. */
export type RawOptionValue = string | number | boolean;

/** What option parsers and autocomplete may consult. */
export interface OptionEnv {
  course: Course;
}

export interface Choice {
  /** What the user sees in the suggestion list. */
  name: string;
  /** What is sent back as the option's value. */
  value: string;
}

/** How the option travels on platforms with typed options (Discord); text platforms send everything as text. */
export type OptionWireType = 'string' | 'integer' | 'boolean' | 'channel' | 'user';

export interface OptionSpec<T, Required extends boolean = boolean> {
  wireType: OptionWireType;
  description: string;
  required: Required;
  /** Shown in usage lines, e.g. `<module>`. */
  placeholder: string;
  /** May take several words in text mode (`/module key value store`). */
  multiWord: boolean;
  parse(raw: RawOptionValue, env: OptionEnv): Result<T>;
  autocomplete?(partial: string, env: OptionEnv): Choice[];
}

export type AnyOptionSpec = OptionSpec<unknown, boolean>;

interface BaseSpec<Required extends boolean> {
  description: string;
  required?: Required;
}

export const MAX_CHOICES = 25;

/**
 * Characters no name or label needs and that can mislead or break what others see: C0/C1 controls (NUL included),
 * and the bidirectional overrides, embeddings, isolates and marks (a name could read backwards). Emoji joiners stay.
 */
export const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The part every option builder shares: what the caller said, and whether it must be given. */
function option<T, Required extends boolean>(
  spec: BaseSpec<Required>,
  rest: Omit<OptionSpec<T, Required>, 'description' | 'required'>,
): OptionSpec<T, Required> {
  return { description: spec.description, required: (spec.required ?? false) as Required, ...rest };
}

export function stringOption<const Required extends boolean = false>(
  spec: BaseSpec<Required> & { maxLength?: number; placeholder?: string; multiWord?: boolean },
): OptionSpec<string, Required> {
  const maxLength = spec.maxLength ?? 200;
  return option(spec, {
    wireType: 'string',
    placeholder: spec.placeholder ?? 'text',
    multiWord: spec.multiWord ?? true,
    parse(raw) {
      const text = String(raw).trim();
      if (text === '') return err('it is empty.');
      if (text.length > maxLength) return err(`it is ${text.length} characters long; the limit is ${maxLength}.`);
      return UNSAFE_CHARACTERS.test(text) ? err('it contains invisible control or text-direction characters; type it plainly.') : ok(text);
    },
  });
}

/** One word from a fixed list (`/leaderboard image`), suggested as the user types. */
export function choiceOption<const Choices extends readonly string[], const Required extends boolean = false>(
  spec: BaseSpec<Required> & { choices: Choices },
): OptionSpec<Choices[number], Required> {
  return option(spec, {
    wireType: 'string',
    placeholder: spec.choices.join('|'),
    multiWord: false,
    parse(raw) {
      const text = String(raw).trim().toLowerCase();
      const found = spec.choices.find((choice) => choice === text);
      return found === undefined ? err(`${quoted(String(raw).trim())} is not one of ${spec.choices.join(', ')}.`) : ok(found);
    },
    autocomplete: (partial) => spec.choices.filter((choice) => choice.startsWith(partial.trim().toLowerCase())).map((choice) => ({ name: choice, value: choice })),
  });
}

export function integerOption<const Required extends boolean = false>(
  spec: BaseSpec<Required> & { min: number; max: number; placeholder?: string },
): OptionSpec<number, Required> {
  return option(spec, {
    wireType: 'integer',
    placeholder: spec.placeholder ?? 'number',
    multiWord: false,
    parse(raw) {
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(value)) return err(`${quoted(raw)} is not a whole number.`);
      return value < spec.min || value > spec.max ? err(`${value} is outside ${spec.min}–${spec.max}.`) : ok(value);
    },
  });
}

/** A module by number, slug or title words, with autocomplete on every platform that supports it. */
export function moduleOption<const Required extends boolean = false>(spec: BaseSpec<Required>): OptionSpec<Module, Required> {
  return option(spec, {
    wireType: 'string',
    placeholder: 'module',
    multiWord: true,
    parse: (raw, env) => parseModuleRef(env.course, String(raw)),
    autocomplete: (partial, env) =>
      searchModules(env.course, partial)
        .slice(0, MAX_CHOICES)
        .map((module) => ({ name: moduleLabel(module), value: module.slug })),
  });
}

/** An exercise by id or title words, suggested as the user types. */
export function exerciseOption<const Required extends boolean = false>(spec: BaseSpec<Required>): OptionSpec<Exercise, Required> {
  return option(spec, {
    wireType: 'string',
    placeholder: 'exercise',
    multiWord: true,
    parse: (raw, env) => parseExerciseRef(env.course, String(raw)),
    autocomplete: (partial, env) =>
      searchExercises(env.course, partial)
        .slice(0, MAX_CHOICES)
        .map((exercise) => ({ name: `${exercise.id} · ${exercise.title}`.slice(0, 100), value: exercise.id })),
  });
}

/** A calendar date, `YYYY-MM-DD`. */
export function dateOption<const Required extends boolean = false>(spec: BaseSpec<Required>): OptionSpec<string, Required> {
  return option(spec, {
    wireType: 'string',
    placeholder: 'YYYY-MM-DD',
    multiWord: false,
    parse: (raw) => parseDate(String(raw)),
  });
}

/** An IANA timezone, suggested as the user types (`berl` → Europe/Berlin). */
export function timezoneOption<const Required extends boolean = false>(spec: BaseSpec<Required>): OptionSpec<string, Required> {
  return option(spec, {
    wireType: 'string',
    placeholder: 'Area/City',
    multiWord: false,
    parse: (raw) => parseTimezone(String(raw)),
    autocomplete: (partial) => {
      const typed = partial.trim().toLowerCase().replace(/\s+/g, '_');
      return Intl.supportedValuesOf('timeZone')
        .filter((zone) => zone.toLowerCase().includes(typed))
        .slice(0, MAX_CHOICES)
        .map((zone) => ({ name: zone, value: zone }));
    },
  });
}

/** A weekly post slot, `Mon 09:00`. */
export function postTimeOption<const Required extends boolean = false>(
  spec: BaseSpec<Required>,
): OptionSpec<{ weekday: number; time: string }, Required> {
  return option(spec, {
    wireType: 'string',
    placeholder: '"Mon 09:00"',
    multiWord: true,
    parse: (raw) => parsePostTime(String(raw)),
  });
}

/**
 * A channel: Discord sends its id, Slack's command text carries `<#C123|name>`, Discord text `<#123>`.
 * The value is the platform's channel id.
 */
export function channelOption<const Required extends boolean = false>(spec: BaseSpec<Required>): OptionSpec<string, Required> {
  return option(spec, {
    wireType: 'channel',
    placeholder: '#channel',
    multiWord: false,
    parse(raw) {
      const text = String(raw).trim();
      const mention = /^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$/.exec(text)?.[1];
      if (mention) return ok(mention);
      if (/^[A-Za-z0-9]+$/.test(text)) return ok(text);
      return err(`${quoted(text)} is not a channel I can use: type # and pick the channel from the list.`);
    },
  });
}

/** A person: Discord sends their id, Slack's command text carries `<@U123|name>`, Discord text `<@123>`. */
export function userOption<const Required extends boolean = false>(spec: BaseSpec<Required>): OptionSpec<string, Required> {
  return option(spec, {
    wireType: 'user',
    placeholder: '@person',
    multiWord: false,
    parse(raw) {
      const text = String(raw).trim();
      const mention = /^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$/.exec(text)?.[1];
      if (mention) return ok(mention);
      if (/^[A-Za-z0-9]+$/.test(text)) return ok(text);
      return err(`${quoted(text)} is not someone I can find: type @ and pick them from the list.`);
    },
  });
}
