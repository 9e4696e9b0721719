import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cut, DISCORD_LIMITS, renderDiscordMessage, size } from '../../../src/adapters/discord/render-message.ts';
import type { Reply } from '../../../src/chat/reply.ts';

function withinLimits(reply: Reply): void {
  const { embeds } = renderDiscordMessage(reply);
  assert.ok(embeds.length >= 1 && embeds.length <= DISCORD_LIMITS.embedsPerMessage, `${embeds.length} embeds`);
  assert.ok(embeds.reduce((sum, e) => sum + size(e), 0) <= DISCORD_LIMITS.charactersPerMessage, 'total characters');
  for (const embed of embeds) {
    assert.ok((embed.title?.length ?? 0) <= DISCORD_LIMITS.title);
    assert.ok((embed.description?.length ?? 0) <= DISCORD_LIMITS.description);
    assert.ok((embed.fields?.length ?? 0) <= DISCORD_LIMITS.fields);
    assert.ok((embed.footer?.text.length ?? 0) <= DISCORD_LIMITS.footer);
    for (const field of embed.fields ?? []) {
      assert.ok(field.name.length >= 1 && field.name.length <= DISCORD_LIMITS.fieldName);
      assert.ok(field.value.length >= 1 && field.value.length <= DISCORD_LIMITS.fieldValue);
    }
  }
}

describe('renderDiscordMessage', () => {
  it('renders title, text, fields, links as markdown, footer and tone colour in one embed', () => {
    const message = renderDiscordMessage({
      title: 'Next: Module 01',
      text: 'Read, then build.',
      fields: [{ name: 'Progress', value: '▱▱ 0/2', inline: true }],
      links: [
        { label: 'Lecture 1: Ownership', url: 'https://example.test/1.md' },
        { label: 'Local file', url: 'file:///tmp/2.md' },
      ],
      footer: 'Keep going.',
      tone: 'success',
      private: true,
    });
    assert.equal(message.ephemeral, true);
    assert.deepEqual(message.embeds, [
      {
        color: 0x57f287,
        title: 'Next: Module 01',
        description: 'Read, then build.',
        fields: [
          { name: 'Progress', value: '▱▱ 0/2', inline: true },
          { name: 'Links', value: '[Lecture 1: Ownership](https://example.test/1.md)\nLocal file: file:///tmp/2.md', inline: false },
        ],
        footer: { text: 'Keep going.' },
      },
    ]);
  });

  it('cuts over-long texts at a line or word, with an ellipsis', () => {
    assert.equal(cut('short', 10), 'short');
    assert.equal(cut('one two three four', 12), 'one two…');
    const long = renderDiscordMessage({ title: 'T'.repeat(300), text: 'word '.repeat(2000), private: false });
    assert.equal(long.embeds[0]?.title?.length, DISCORD_LIMITS.title);
    assert.ok(long.embeds[0]?.description?.endsWith('…'));
    assert.ok((long.embeds[0]?.description?.length ?? 0) <= DISCORD_LIMITS.description);
  });

  it('moves fields past 25 into a second embed', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    const { embeds } = renderDiscordMessage({ title: 'Many', fields, private: false });
    assert.equal(embeds.length, 2);
    assert.equal(embeds[0]?.fields?.length, 25);
    assert.equal(embeds[1]?.fields?.length, 5);
    assert.equal(embeds[0]?.title, 'Many');
  });

  it('trims what cannot fit in 6,000 characters and says so with the first link', () => {
    const fields = Array.from({ length: 40 }, (_, i) => ({ name: `Field ${i}`, value: 'x'.repeat(1000) }));
    const { embeds } = renderDiscordMessage({ title: 'Huge', fields, links: [{ label: 'All of it', url: 'https://example.test/all' }], private: false });
    withinLimits({ title: 'Huge', fields, private: false });
    assert.equal(embeds.at(-1)?.footer?.text, 'Trimmed to fit Discord: https://example.test/all');
  });

  it('stays within every limit for replies of any size', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const fieldCount = (seed * 7) % 60;
      withinLimits({
        title: 'T'.repeat((seed * 37) % 400),
        text: 'lorem ipsum '.repeat((seed * 131) % 700),
        fields: Array.from({ length: fieldCount }, (_, i) => ({ name: 'N'.repeat(((i + seed) * 53) % 300), value: 'V'.repeat(((i + 1) * seed * 97) % 1500), inline: i % 2 === 0 })),
        links: Array.from({ length: seed % 30 }, (_, i) => ({ label: `L${i}`.repeat(seed % 9), url: `https://example.test/${'p'.repeat(seed * 3)}/${i}` })),
        footer: 'F'.repeat((seed * 211) % 2500),
        private: seed % 2 === 0,
      });
    }
  });
});
