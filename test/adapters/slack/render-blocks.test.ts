import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSlackMessage, renderSlackView, SLACK_LIMITS, VIEW_BLOCKS, type Block } from '../../../src/adapters/slack/render-blocks.ts';
import type { Reply } from '../../../src/chat/reply.ts';
import { blockKitProblems } from '../../fakes/slack/block-kit.ts';

function withinLimits(reply: Reply): Block[] {
  const { blocks } = renderSlackMessage(reply);
  assert.ok(blocks.length <= SLACK_LIMITS.blocks, `${blocks.length} blocks`);
  for (const block of blocks) {
    if (block.type === 'header') assert.ok(block.text.text.length <= SLACK_LIMITS.headerText);
    if (block.type === 'section') {
      assert.ok((block.text?.text.length ?? 0) <= SLACK_LIMITS.sectionText);
      assert.ok((block.fields?.length ?? 0) <= SLACK_LIMITS.fieldsPerSection);
      for (const field of block.fields ?? []) assert.ok(field.text.length <= SLACK_LIMITS.fieldText);
    }
    if (block.type === 'actions') {
      assert.ok(block.elements.length <= SLACK_LIMITS.buttonsPerActions);
      for (const button of block.elements) assert.ok(button.text.text.length <= SLACK_LIMITS.buttonText);
    }
  }
  assert.deepEqual(blockKitProblems(blocks, 'message'), [], 'Slack would accept it');
  return blocks;
}

describe('renderSlackMessage', () => {
  it('escapes the notification text as well as the blocks, so a typed <!channel> or <@U…> pings nobody; only mentions the reply names stay', () => {
    const message = renderSlackMessage({ title: 'Grace <!channel>', text: '"<!here> <@U0OTHER> <!subteam^S1>" is not a timezone', mentions: ['U0LEARNER1'], private: true });
    // plain_text (the header) is shown as typed and never parsed for mentions; mrkdwn and the text are.
    const parsed = [message.text, ...message.blocks.flatMap((b) => ('text' in b && b.text?.type === 'mrkdwn' ? [b.text.text] : []))].join('\n');
    assert.doesNotMatch(parsed, /<!(channel|here|subteam)|<@U0OTHER/);
    assert.match(message.text, /&lt;!channel&gt;/);
    assert.match(message.text, /<@U0LEARNER1>/);
  });

  it('renders header, escaped mrkdwn text, inline fields side by side, link buttons and a context footer', () => {
    const message = renderSlackMessage({
      title: 'Next: Module 01',
      text: 'Use `Rc<RefCell<T>>` **sparingly** & wisely',
      fields: [
        { name: 'Progress', value: '1/2', inline: true },
        { name: 'Due', value: 'Monday', inline: true },
        { name: 'Exercises', value: '⬜ a\n✅ b' },
      ],
      links: [
        { label: 'Lecture 1', url: 'https://example.test/1.md' },
        { label: 'Local', url: 'file:///tmp/x.md' },
      ],
      footer: 'Keep going.',
      tone: 'warning',
      private: true,
    });
    assert.equal(message.ephemeral, true);
    // The notification text is mrkdwn to Slack as well: escaped like the blocks.
    assert.equal(message.text, 'Next: Module 01\nUse `Rc&lt;RefCell&lt;T&gt;&gt;` **sparingly** &amp; wisely');
    assert.deepEqual(message.blocks, [
      { type: 'header', text: { type: 'plain_text', text: ':warning: Next: Module 01', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Use `Rc&lt;RefCell&lt;T&gt;&gt;` *sparingly* &amp; wisely' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Progress*\n1/2' }, { type: 'mrkdwn', text: '*Due*\nMonday' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '*Exercises*\n⬜ a\n✅ b' } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Lecture 1', emoji: true }, url: 'https://example.test/1.md', action_id: 'link-0' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '• Local: file:///tmp/x.md' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Keep going.' }] },
    ]);
  });

  it('splits long text into several sections at line breaks', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const blocks = withinLimits({ text, private: false });
    assert.ok(blocks.filter((b) => b.type === 'section').length >= 4);
  });

  it('trims past 50 blocks with a note and the first link', () => {
    const fields = Array.from({ length: 80 }, (_, i) => ({ name: `F${i}`, value: 'v' }));
    const blocks = withinLimits({ title: 'Many', fields, links: [{ label: 'All', url: 'https://example.test/all' }], private: false });
    assert.equal(blocks.length, SLACK_LIMITS.blocks);
    assert.deepEqual(blocks.at(-1), { type: 'context', elements: [{ type: 'mrkdwn', text: 'Trimmed to fit Slack: https://example.test/all' }] });
  });

  it('stays within every limit for replies of any size', () => {
    for (let seed = 1; seed <= 30; seed++) {
      withinLimits({
        title: 'T'.repeat((seed * 37) % 400),
        text: 'lorem ipsum '.repeat((seed * 131) % 900),
        fields: Array.from({ length: (seed * 7) % 70 }, (_, i) => ({ name: `N${i}`, value: 'V'.repeat(((i + 1) * seed * 97) % 4000), inline: i % 3 === 0 })),
        links: Array.from({ length: (seed * 5) % 60 }, (_, i) => ({ label: 'L'.repeat((i * seed) % 120), url: `https://example.test/${i}` })),
        footer: 'F'.repeat((seed * 211) % 4000),
        private: false,
      });
    }
  });

  it('keeps command buttons when it trims, with labels cut to fit', () => {
    const fields = Array.from({ length: 80 }, (_, i) => ({ name: `F${i}`, value: 'v' }));
    const actions = [{ label: 'My next step '.repeat(10), command: 'next-module', style: 'primary' as const }, { label: 'Leaderboard', command: 'leaderboard' }];
    const blocks = withinLimits({ title: 'Many', fields, actions, private: false });
    const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.type === 'actions' ? b.elements : []));
    assert.deepEqual(buttons.map((b) => [b.action_id, b.style]), [['run:next-module', 'primary'], ['run:leaderboard', undefined]]);
  });
});

describe('renderSlackView', () => {
  it('puts many cohorts on one Home tab within 100 blocks, leaving out whole sections with a note', () => {
    const cohort = (i: number): Reply => ({
      title: `Cohort ${i}`,
      text: 'Next: Module 03',
      fields: [{ name: 'Due', value: 'Mon', inline: true }, { name: 'Rank', value: '1 of 3', inline: true }, { name: 'Modules', value: '▰▱ 1/2 Module 01' }],
      links: Array.from({ length: 5 }, (_, j) => ({ label: `Lecture ${j + 1}`, url: `https://example.test/${i}/${j}` })),
      actions: [{ label: 'My progress', command: 'progress' }, { label: 'Leaderboard', command: 'leaderboard' }],
      private: true,
    });
    const blocks = renderSlackView(Array.from({ length: 30 }, (_, i) => ({ reply: cohort(i), options: { actionValue: `C${i}` } })));
    assert.ok(blocks.length <= VIEW_BLOCKS, `${blocks.length} blocks`);
    assert.deepEqual(blockKitProblems(blocks, 'home'), []);
    assert.match(JSON.stringify(blocks.at(-1)), /more not shown/);
    // Every section that is shown has its buttons, carrying its own cohort.
    const headers = blocks.filter((b) => b.type === 'header').length;
    const values = blocks.flatMap((b) => (b.type === 'actions' ? b.elements.filter((e) => e.action_id === 'run:progress').map((e) => e.value) : []));
    assert.equal(values.length, headers);
    assert.deepEqual(values, Array.from({ length: headers }, (_, i) => `C${i}`));
  });
});
