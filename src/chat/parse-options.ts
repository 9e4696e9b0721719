import type { Invocation, Services } from './context.ts';
import type { OptionSpecs } from './define-command.ts';
import type { RawOptionValue } from './options.ts';
import { parseTextOptions } from './parse-text-options.ts';
import { UserError } from './user-error.ts';
import { quoted } from '../core/quoted.ts';

/** Turns raw arguments of `label` (`/cohort create`) (text or platform-typed values) into parsed option values, or a UserError with the usage. */
export function parseOptions(
  specs: OptionSpecs,
  args: Invocation['args'],
  how: { label: string; usage: string },
  services: Services,
): Record<string, unknown> {
  const hint = `Usage: ${how.usage}`;
  let raw: Record<string, RawOptionValue>;
  if (args.kind === 'text') {
    const parsed = parseTextOptions(specs, args.text);
    if (!parsed.ok) throw new UserError('bad-option', `I could not read the options of ${how.label}: ${parsed.error}`, hint);
    raw = parsed.value;
  } else {
    raw = args.values;
    const unknown = Object.keys(raw).find((name) => !(name in specs));
    if (unknown) throw new UserError('bad-option', `${how.label} has no option ${quoted(unknown)}.`, hint);
  }

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = raw[name];
    if (given === undefined || given === '') {
      if (spec.required) throw new UserError('missing-option', `${how.label} needs ${name}: ${spec.description}`, hint);
      continue;
    }
    const parsed = spec.parse(given, { course: services.course });
    if (!parsed.ok) throw new UserError('bad-option', `${name}: ${parsed.error}`, hint);
    values[name] = parsed.value;
  }
  return values;
}
