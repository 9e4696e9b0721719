import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseHints } from '../../src/content/hints.ts';
import { loadCourse } from '../../src/content/load-course.ts';
import { contentFixture } from '../helpers/content-fixture.ts';

const three = (body: (n: number) => string) => `# Hints\n\n${[1, 2, 3].map((n) => `## Hint ${n}\n\n${body(n)}\n`).join('\n')}`;

describe('parseHints', () => {
  it('reads exactly three hints, in order, trimmed', () => {
    assert.deepEqual(parseHints(three((n) => `Hint text ${n}, with \`code\`.`)), { ok: true, value: ['Hint text 1, with `code`.', 'Hint text 2, with `code`.', 'Hint text 3, with `code`.'] });
  });

  it('refuses a missing, extra, misnamed or empty hint, a code block and a hint too long for a chat message', () => {
    const cases: [string, RegExp][] = [
      ['# Hints\n\n## Hint 1\n\nOne.\n\n## Hint 2\n\nTwo.\n', /has 2 hint sections; an exercise has exactly 3/],
      [`${three(() => 'x')}\n## Hint 4\n\nFour.\n`, /has 4 hint sections/],
      [three((n) => 'x').replace('## Hint 2', '## Second'), /section 2 is "## Second"/],
      [three((n) => (n === 3 ? '' : 'x')), /Hint 3 is empty/],
      [three((n) => (n === 2 ? 'Like this:\n\n```rust\nfn solve() {}\n```' : 'x')), /Hint 2 has a code block/],
      [three((n) => (n === 1 ? 'word '.repeat(400) : 'x')), /Hint 1 is 1999 characters; a hint is a chat message of at most 1000/],
    ];
    for (const [markdown, problem] of cases) {
      const parsed = parseHints(markdown);
      assert.ok(!parsed.ok && problem.test(parsed.error), `${JSON.stringify(parsed)} should match ${problem}`);
    }
  });

  it('a malformed hints file stops the course from loading, naming the file', () => {
    const dir = contentFixture();
    writeFileSync(path.join(dir, 'modules/module-01-core-rust/hints/ex01-lru-cache.md'), '## Hint 1\n\nonly one\n');
    assert.throws(() => loadCourse(dir), /content\/modules\/module-01-core-rust\/hints\/ex01-lru-cache\.md: has 1 hint sections/);
    assert.deepEqual(loadCourse(contentFixture()).modules[0]?.exercises[0]?.hints?.length, 3);
  });
});
