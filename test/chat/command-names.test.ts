import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renameCommands, renameInText } from '../../src/chat/command-names.ts';
import { actionId, distinctActions, parseActionId } from '../../src/chat/reply-actions.ts';

const known = new Set(['join', 'link-github', 'cohort', 'help']);
const form = (name: string) => (name === 'join' ? '/cohort-bot join' : `/${name}`);

describe('command mentions in the platform’s form', () => {
  it('rewrites known commands wherever a learner reads them, and nothing else', () => {
    assert.equal(renameInText('Type /join, then `/link-github verify`.', known, form), 'Type /cohort-bot join, then `/link-github verify`.');
    assert.equal(renameInText('(/join) **/join**', known, form), '(/cohort-bot join) **/cohort-bot join**');
    // URLs, paths, unknown names and longer names that start like a command stay as they are.
    for (const text of ['https://example.org/join', 'content/join/x', '/joined', '/join-us', '/foo', 'a/join']) {
      assert.equal(renameInText(text, known, form), text);
    }
  });

  it('renames a whole reply: title, text, fields and footer, not links', () => {
    const reply = renameCommands(
      { title: '/join', text: 'Type /join', fields: [{ name: '/join', value: 'or /join' }], footer: '/join', links: [{ label: '/join', url: 'https://x.test/join' }], private: true },
      known,
      form,
    );
    assert.deepEqual(reply, {
      title: '/cohort-bot join',
      text: 'Type /cohort-bot join',
      fields: [{ name: '/cohort-bot join', value: 'or /cohort-bot join' }],
      footer: '/cohort-bot join',
      links: [{ label: '/join', url: 'https://x.test/join' }],
      private: true,
    });
  });
});

describe('button ids', () => {
  it('carry a command and subcommand, and nothing else is accepted', () => {
    assert.equal(actionId({ command: 'cohort', subcommand: 'status' }), 'run:cohort:status');
    assert.deepEqual(parseActionId('run:cohort:status'), { command: 'cohort', subcommand: 'status' });
    assert.deepEqual(parseActionId('run:progress'), { command: 'progress' });
    for (const forged of ['run:', 'run:progress extra', 'run:Progress', 'link-0', 'run:a:b:c', `run:${'x'.repeat(40)}`, 'run:progress\n']) {
      assert.equal(parseActionId(forged), undefined, forged);
    }
  });

  it('keep one button per command', () => {
    assert.deepEqual(distinctActions([{ label: 'A', command: 'help' }, { label: 'B', command: 'help' }]).map((a) => a.label), ['A']);
  });
});
