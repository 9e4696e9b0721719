import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { workflowFilePath } from '../../src/github/rest-snapshots.ts';

const REPO = 'ada-lovelace/rust-course';

describe("workflowFilePath: REST's workflow run `path` as a file in the learner's repo", () => {
  it('keeps a plain path, as real payloads carry it', () => {
    assert.equal(workflowFilePath('.github/workflows/course.yml', REPO), '.github/workflows/course.yml');
    assert.equal(workflowFilePath('.github/workflows/mine.yaml', REPO), '.github/workflows/mine.yaml');
  });

  it("reads the REST description's example form: this repo's owner/name before, a ref after", () => {
    const types = readFileSync(createRequire(import.meta.url).resolve('@octokit/openapi-types/types.d.ts'), 'utf8');
    const schema = types.slice(types.indexOf('    "workflow-run": {'));
    const example = /@example (\S+)\s*\*\/\s*path: string;/.exec(schema)?.[1];
    assert.equal(example, 'octocat/octo-repo/.github/workflows/ci.yml@main', "the description's own example");
    assert.equal(workflowFilePath(example!, 'octocat/octo-repo'), '.github/workflows/ci.yml');
    assert.equal(workflowFilePath(`${REPO}/.github/workflows/course.yml@refs/heads/main`, 'Ada-Lovelace/Rust-Course'), '.github/workflows/course.yml');
    assert.equal(workflowFilePath('.github/workflows/course.yml@refs/heads/feature@2', REPO), '.github/workflows/course.yml');
  });

  it('never turns another file into the course workflow', () => {
    // A workflow stored in another repository (an organisation's required workflow) keeps its owner/name.
    assert.equal(workflowFilePath('tricks/ci/.github/workflows/course.yml@main', REPO), 'tricks/ci/.github/workflows/course.yml@main');
    // GitHub runs `course.yml@x.yml` as a workflow of that name: the `@x.yml` is its name, not a ref.
    assert.equal(workflowFilePath('.github/workflows/course.yml@x.yml', REPO), '.github/workflows/course.yml@x.yml');
    assert.equal(workflowFilePath('.github/workflows/course.yml@x.yml@main', REPO), '.github/workflows/course.yml@x.yml');
    assert.equal(workflowFilePath('.github/workflows/course.yml@x.yml@refs/heads/main', REPO), '.github/workflows/course.yml@x.yml');
    // Not in .github/workflows itself, or not a workflow at all (GitHub's dynamic Pages or CodeQL runs).
    assert.equal(workflowFilePath('.github/workflows/sub/course.yml', REPO), '.github/workflows/sub/course.yml');
    assert.equal(workflowFilePath('dynamic/pages/pages-build-deployment', REPO), 'dynamic/pages/pages-build-deployment');
  });
});
