import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createConsoleAdapter } from '../../../src/adapters/console/console-adapter.ts';
import { completeLine } from '../../../src/adapters/console/complete-line.ts';
import { parseLine } from '../../../src/adapters/console/parse-line.ts';
import { renderText } from '../../../src/adapters/console/render-text.ts';
import { berlinCohort } from '../../helpers/cohort-fixture.ts';
import { testServices } from '../../helpers/test-services.ts';

describe('parseLine', () => {
  it('splits a command from its text, slash optional, blank lines ignored', () => {
    assert.deepEqual(parseLine('/module 3'), { command: 'module', text: '3' });
    assert.deepEqual(parseLine('  Module   key value  '), { command: 'module', text: 'key value' });
    assert.deepEqual(parseLine('/next-module'), { command: 'next-module', text: '' });
    assert.equal(parseLine('   '), undefined);
  });
});

describe('renderText', () => {
  it('prints a title line, text, fields (inline ones side by side), then each link on its own lines', () => {
    const text = renderText({
      title: 'Next: Module 01',
      text: 'Do the `ex01` thing, **now**.',
      fields: [
        { name: 'Exercises', value: 'a\nb' },
        { name: 'Progress', value: '1/2', inline: true },
        { name: 'Due', value: 'Monday', inline: true },
      ],
      links: [{ label: 'Lecture 1', url: 'https://example.test/1.md' }],
      footer: 'Keep going.',
      tone: 'success',
      private: true,
    });
    assert.equal(
      text,
      [
        '✔ Next: Module 01',
        '─'.repeat(17),
        'Do the ex01 thing, now.',
        '',
        'Exercises',
        '  a',
        '  b',
        'Progress: 1/2    Due: Monday',
        '',
        'Links',
        '  Lecture 1',
        '    https://example.test/1.md',
        '',
        'Keep going.',
      ].join('\n'),
    );
  });
});

describe('console adapter', () => {
  it('answers piped lines in order, with the same polite errors as the platforms, and ends with the input', async () => {
    const { services, registry, store } = await testServices(new Date('2026-12-10T12:00:00Z'));
    const cohort = berlinCohort(store);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk) => (printed += String(chunk)));
    const adapter = createConsoleAdapter({
      registry,
      services,
      input,
      output,
      place: { workspaceId: 'local', channelId: 'terminal' },
      user: { id: 'u-ada', displayName: 'Ada' },
      greeting: 'hello there',
    });
    const running = adapter.run();
    input.end('/join\n\n/\n/nope\n/module 99\n/next-module\n');
    await running;

    assert.ok(printed.startsWith('hello there\ncohort> '));
    const welcome = printed.indexOf('Welcome to Winter cohort, Ada!');
    const slash = printed.indexOf('Type a command after the slash, e.g. /help or /next-module.');
    const unknown = printed.indexOf("I don't know the command /nope.");
    assert.ok(slash > welcome && unknown > slash, 'a lone slash is answered, not ignored');
    const badModule = printed.indexOf('There is no module 99');
    const next = printed.indexOf('Next: Module 01 · Core Rust Fluency');
    assert.ok(welcome > 0 && unknown > welcome && badModule > unknown && next > badModule, printed);
    assert.ok(store.learners.find(cohort.id, 'u-ada'));
  });

  it('stops when asked, as on SIGTERM', async () => {
    const { services, registry } = await testServices(new Date('2026-12-10T12:00:00Z'));
    const input = new PassThrough();
    const adapter = createConsoleAdapter({
      registry,
      services,
      input,
      output: new PassThrough(),
      place: { workspaceId: 'local', channelId: 'terminal' },
      user: { id: 'u', displayName: 'U' },
      greeting: '',
    });
    const running = adapter.run();
    adapter.stop();
    await running;
  });
});

describe('completeLine', () => {
  it('completes command names, then module names for /module', async () => {
    const { services, registry } = await testServices(new Date('2026-12-10T12:00:00Z'));
    assert.deepEqual(completeLine(registry, services, '/ne'), [['/next-module'], '/ne']);
    assert.deepEqual(completeLine(registry, services, 'sch'), [['/schedule'], 'sch']);
    assert.equal(completeLine(registry, services, '/zzz')[0].length, registry.list().length);
    assert.deepEqual(completeLine(registry, services, '/module redis'), [['/module redis-clone'], '/module redis']);
    assert.equal(completeLine(registry, services, '/module ')[0].length, 12);
    assert.deepEqual(completeLine(registry, services, '/join x'), [[], '/join x']);
  });
});
