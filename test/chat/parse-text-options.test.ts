import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { integerOption, moduleOption, stringOption } from '../../src/chat/options.ts';
import { parseTextOptions } from '../../src/chat/parse-text-options.ts';
import type { OptionSpecs } from '../../src/chat/define-command.ts';

function parsed(specs: OptionSpecs, text: string): Record<string, string> {
  const result = parseTextOptions(specs, text);
  if (!result.ok) assert.fail(`expected options, got error: ${result.error}`);
  return result.value;
}

function errorOf(specs: OptionSpecs, text: string): string {
  const result = parseTextOptions(specs, text);
  if (result.ok) assert.fail(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const none: OptionSpecs = {};
const moduleSpecs: OptionSpecs = { module: moduleOption({ description: 'A module', required: true }) };
/** Two single-word options, then a multi-word one. */
const numbers: OptionSpecs = {
  weeks: integerOption({ description: 'Weeks', min: 1, max: 52 }),
  days: integerOption({ description: 'Days', min: 0, max: 6 }),
  note: stringOption({ description: 'A note' }),
};
const create: OptionSpecs = {
  name: stringOption({ description: 'Cohort name' }),
  start: stringOption({ description: 'Start date' }),
};

describe('parseTextOptions: positional words', () => {
  it('GIVEN no text THEN no options are set', () => {
    assert.deepEqual(parsed(none, ''), {});
    assert.deepEqual(parsed(numbers, '   '), {});
  });

  it('GIVEN bare words THEN they fill options in declared order', () => {
    assert.deepEqual(parsed(numbers, '3'), { weeks: '3' });
    assert.deepEqual(parsed(numbers, '3 4'), { weeks: '3', days: '4' });
    assert.deepEqual(parsed(numbers, '3 4 hello'), { weeks: '3', days: '4', note: 'hello' });
  });

  it('GIVEN more words than single-word options THEN the extra word is refused', () => {
    const twoInts: OptionSpecs = { weeks: numbers.weeks!, days: numbers.days! };
    assert.match(errorOf(twoInts, '3 4 5'), /did not expect "5"/);
  });

  it('GIVEN a command with no options THEN any word is refused', () => {
    assert.match(errorOf(none, 'extra'), /takes no options/);
    assert.match(errorOf(none, 'two words'), /takes no options/);
  });
});

describe('stringOption', () => {
  const name = stringOption({ description: 'A name', maxLength: 40 });
  const env = { course: { title: '', slug: '', summary: '', phases: [], modules: [] } };
  it('refuses NUL, other control characters and text-direction overrides, without echoing the value; keeps emoji', () => {
    for (const value of ['Win\u0000ter', 'Winter\u0007', '\u202eretniW', 'Win\u2066ter\u2069', 'a\u200fb']) {
      const parsed = name.parse(value, env);
      assert.ok(!parsed.ok && /invisible control or text-direction characters/.test(parsed.error), JSON.stringify(value));
    }
    assert.deepEqual(name.parse('Rust 🦀 Winter 👩‍💻', env), { ok: true, value: 'Rust 🦀 Winter 👩‍💻' });
    const long = name.parse('x'.repeat(100_000), env);
    assert.ok(!long.ok && long.error === 'it is 100000 characters long; the limit is 40.', 'the error does not repeat a 100 KB value');
  });
});

describe('parseTextOptions: name:value and name=value', () => {
  it('GIVEN name:value or name=value THEN the named option is set, in any order', () => {
    assert.deepEqual(parsed(create, 'start:2026-12-07 name=Winter'), { start: '2026-12-07', name: 'Winter' });
    assert.deepEqual(parsed(numbers, 'days=2 weeks:3'), { days: '2', weeks: '3' });
  });

  it('GIVEN a named option THEN later bare words fill the remaining options in order', () => {
    assert.deepEqual(parsed(numbers, 'days=2 5'), { days: '2', weeks: '5' });
  });

  it('GIVEN a value containing the separator THEN only the first one splits', () => {
    assert.deepEqual(parsed(create, 'name=a=b'), { name: 'a=b' });
    assert.deepEqual(parsed(create, 'start:09:00'), { start: '09:00' });
  });

  it('GIVEN "name:" followed by words THEN the words become the value of a multi-word option', () => {
    assert.deepEqual(parsed(create, 'name: Rust Winter'), { name: 'Rust Winter' });
  });

  it('GIVEN foo:bar where foo is not an option THEN it is an ordinary word', () => {
    assert.deepEqual(parsed(create, 'foo:bar'), { name: 'foo:bar' });
    assert.deepEqual(parsed(numbers, 'foo=bar'), { weeks: 'foo=bar' });
    assert.deepEqual(parsed(create, 'start=2026-12-07 foo:bar'), { start: '2026-12-07 foo:bar' });
  });

  it('GIVEN an option twice THEN it is refused, by name or by position', () => {
    assert.match(errorOf(create, 'name=a name=b'), /name is given twice/);
    assert.match(errorOf(create, 'Winter name:b'), /name is given twice/);
    assert.match(errorOf(numbers, 'weeks=1 days=2 weeks=3'), /weeks is given twice/);
  });
});

describe('parseTextOptions: multi-word values', () => {
  it('GIVEN several words for a module THEN they continue the module option', () => {
    assert.deepEqual(parsed(moduleSpecs, 'key value store'), { module: 'key value store' });
    assert.deepEqual(parsed(moduleSpecs, '  key   value  '), { module: 'key value' });
  });

  it('GIVEN name=Rust Winter start=… THEN the name takes both words and start is still named', () => {
    assert.deepEqual(parsed(create, 'name=Rust Winter start=2026-12-07'), { name: 'Rust Winter', start: '2026-12-07' });
    assert.deepEqual(parsed(create, 'start=2026-12-07 name=Rust Winter'), { name: 'Rust Winter', start: '2026-12-07' });
  });

  it('GIVEN single-word options before a multi-word one THEN the rest of the words go to the last', () => {
    assert.deepEqual(parsed(numbers, '2 1 read the lecture first'), { weeks: '2', days: '1', note: 'read the lecture first' });
  });
});

describe('parseTextOptions: quotes', () => {
  it('GIVEN a double-quoted phrase THEN it is one value, spaces kept', () => {
    assert.deepEqual(parsed(create, '"Rust Winter"'), { name: 'Rust Winter' });
    assert.deepEqual(parsed(create, '"a  b"'), { name: 'a  b' });
    assert.deepEqual(parsed(numbers, '3 "" x'), { weeks: '3', days: '', note: 'x' });
  });

  it('GIVEN curly quotes as phones type them THEN they group words too', () => {
    assert.deepEqual(parsed(create, '“Rust Winter”'), { name: 'Rust Winter' });
    assert.deepEqual(parsed(create, 'name=“two words” start=2026-12-07'), { name: 'two words', start: '2026-12-07' });
  });

  it('GIVEN name="two words" THEN the named option gets the phrase', () => {
    assert.deepEqual(parsed(create, 'name="two words"'), { name: 'two words' });
    assert.deepEqual(parsed(create, 'start:"2026-12-07" name="a b"'), { start: '2026-12-07', name: 'a b' });
  });

  it('GIVEN a quoted "name:value" THEN it is a plain value, not a named option', () => {
    assert.deepEqual(parsed(create, '"start:tomorrow"'), { name: 'start:tomorrow' });
  });

  it("GIVEN apostrophes THEN they are ordinary letters (Bob's)", () => {
    assert.deepEqual(parsed(create, "Bob's Cohort"), { name: "Bob's Cohort" });
    assert.deepEqual(parsed(create, 'name=Bob’s start=2026-12-07'), { name: 'Bob’s', start: '2026-12-07' });
    assert.deepEqual(parsed(numbers, "1 2 it's done"), { weeks: '1', days: '2', note: "it's done" });
  });

  it('GIVEN a quote that is never closed THEN it is refused', () => {
    assert.match(errorOf(create, '"Rust Winter'), /quote is opened but never closed/);
    assert.match(errorOf(create, 'name="Rust Winter start=2026-12-07'), /never closed/);
    assert.match(errorOf(moduleSpecs, '“key value'), /never closed/);
  });

  it(
    'GIVEN a quoted phrase for a multi-word option THEN the closing quote ends it and the next word fills the next option',
    () => {
      assert.deepEqual(parseTextOptions(create, '"Rust Winter" 2026-12-07'), { ok: true, value: { name: 'Rust Winter', start: '2026-12-07' } });
      assert.deepEqual(parseTextOptions(create, 'name="Rust Winter" 2026-12-07'), { ok: true, value: { name: 'Rust Winter', start: '2026-12-07' } });
    },
  );
});
