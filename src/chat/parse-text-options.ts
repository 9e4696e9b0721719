import { err, ok, type Result } from '../core/result.ts';
import type { OptionSpecs } from './define-command.ts';
import { quoted } from '../core/quoted.ts';

/**
 * Splits command text the way people type it: words, "quoted phrases" and `name:value` / `name=value` pairs.
 * Bare words fill options in their declared order; a word after a multi-word option (a title, a module name)
 * continues it, so `/module key value store` and `name=Rust Winter start=…` both do what they look like.
 */
export function parseTextOptions(specs: OptionSpecs, text: string): Result<Record<string, string>> {
  const tokens = tokenize(text);
  if (!tokens.ok) return tokens;

  const values: Record<string, string> = {};
  const names = Object.keys(specs);
  let previous: string | undefined;

  for (const token of tokens.value) {
    const named = token.quoted ? null : /^([a-z][a-z0-9-]*)[:=](.*)$/s.exec(token.text);
    if (named && named[1] !== undefined && names.includes(named[1])) {
      const [, name, value = ''] = named;
      if (name in values) return err(`${name} is given twice.`);
      values[name] = value;
      // A quoted value is complete: the next bare word belongs to the next option.
      previous = token.closed ? undefined : name;
      continue;
    }
    if (previous !== undefined && specs[previous]?.multiWord) {
      values[previous] = `${values[previous]} ${token.text}`.trim();
      continue;
    }
    const next = names.find((name) => !(name in values));
    if (next === undefined) {
      return err(names.length === 0 ? 'this command takes no options.' : `I did not expect ${quoted(token.text)}.`);
    }
    values[next] = token.text;
    previous = token.closed ? undefined : next;
  }
  return ok(values);
}

interface Token {
  text: string;
  /** The whole token was a quoted phrase, so it is never read as `name:value`. */
  quoted: boolean;
  /** The token ended with a closing quote: it is a complete value, not to be continued by later words. */
  closed: boolean;
}

/** Double quotes (straight or curly, as phones type them) group words; apostrophes are just letters. */
function tokenize(text: string): Result<Token[]> {
  const tokens: Token[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    const quoteAt = rest.search(/["“”]/);
    const spaceAt = rest.search(/\s/);
    if (quoteAt !== -1 && (spaceAt === -1 || quoteAt < spaceAt)) {
      const prefix = rest.slice(0, quoteAt);
      const close = rest.slice(quoteAt + 1).search(/["“”]/);
      if (close === -1) return err('a quote is opened but never closed.');
      tokens.push({ text: prefix + rest.slice(quoteAt + 1, quoteAt + 1 + close), quoted: prefix === '', closed: true });
      rest = rest.slice(quoteAt + close + 2).trimStart();
    } else {
      const end = spaceAt === -1 ? rest.length : spaceAt;
      tokens.push({ text: rest.slice(0, end), quoted: false, closed: false });
      rest = rest.slice(end).trimStart();
    }
  }
  return ok(tokens);
}
