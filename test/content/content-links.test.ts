import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createContentLinks, defaultContentBaseUrl } from '../../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';

const lectures = loadCourse().modules.flatMap((m) => m.lectures);

describe('lecture links', () => {
  it('under a base URL, every lecture link names a file that exists in content/', () => {
    const base = defaultContentBaseUrl();
    assert.match(base, /^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/main\/content$/);
    const links = createContentLinks(DEFAULT_CONTENT_DIR, base);
    for (const lecture of lectures) {
      const url = links.lecture(lecture);
      assert.ok(url.startsWith(`${base}/`), url);
      assert.ok(existsSync(path.join(DEFAULT_CONTENT_DIR, url.slice(base.length + 1))), `${url} points at a missing file`);
    }
  });

  it('without one, every link is a file URL of an existing lecture', () => {
    const links = createContentLinks(DEFAULT_CONTENT_DIR, undefined);
    for (const lecture of lectures) assert.ok(existsSync(fileURLToPath(links.lecture(lecture))), lecture.contentPath);
  });
});
