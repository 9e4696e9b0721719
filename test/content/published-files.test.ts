import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gitBlobSha } from '../../src/content/git-blob-sha.ts';
import { loadCourse } from '../../src/content/load-course.ts';
import { PUBLISHED_FILES, readPublished, recordPublished, unpublished } from '../../src/content/published-files.ts';
import { officialFiles } from '../../src/content/starter-repo.ts';
import { contentFixture } from '../helpers/content-fixture.ts';

const TEST = 'exercises/ex01-lru-cache/tests/lru.rs';

describe('published versions of the official files', () => {
  it('a changed test is unpublished until recorded; then both versions count, the earlier one as former', () => {
    const dir = contentFixture();
    const before = officialFiles(loadCourse(dir), dir);
    assert.deepEqual(unpublished(dir, before), []);
    const first = before.find((f) => f.path === TEST)!;
    assert.deepEqual(first.formerShas, []);

    for (const side of ['exercises', 'solutions']) appendFileSync(path.join(dir, 'modules/module-01-core-rust', side, 'ex01-lru-cache/tests/lru.rs'), '// clearer\n');
    const changed = officialFiles(loadCourse(dir), dir);
    assert.deepEqual(unpublished(dir, changed).map((f) => f.path).sort(), ['.github/course/exercises.json', TEST], 'the check data lists the tests by SHA too');

    assert.deepEqual(recordPublished(dir, changed).sort(), ['.github/course/exercises.json', TEST]);
    const after = officialFiles(loadCourse(dir), dir).find((f) => f.path === TEST)!;
    assert.equal(after.sha, gitBlobSha(readFileSync(path.join(dir, 'modules/module-01-core-rust/exercises/ex01-lru-cache/tests/lru.rs'))));
    assert.deepEqual(after.formerShas, [first.sha]);
    assert.deepEqual(readPublished(dir).get(TEST), [first.sha, after.sha], 'the record only grows, oldest first');
    assert.deepEqual(recordPublished(dir, officialFiles(loadCourse(dir), dir)), [], 'recording again adds nothing');
  });

  it('refuses a record that is not a list of blob SHAs per path, naming the file', () => {
    const dir = contentFixture();
    writeFileSync(path.join(dir, PUBLISHED_FILES), JSON.stringify({ files: { [TEST]: ['not-a-sha'] } }));
    assert.throws(() => readPublished(dir), /published-files\.json: files\..*is not a git blob SHA/);
  });
});
