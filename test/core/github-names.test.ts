import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGithubLogin, parseGithubRepo } from '../../src/core/github-names.ts';

describe('parseGithubLogin', () => {
  for (const login of ['octocat', 'a', 'ada-lovelace', '@grace', 'x'.repeat(39), 'A1-b2']) {
    it(`accepts ${login}`, () => assert.equal(parseGithubLogin(login).ok, true));
  }
  for (const login of ['', '-ada', 'ada-', 'ada--l', 'ada_l', 'x'.repeat(40), 'ada l', 'ada/l']) {
    it(`refuses "${login}" and says why`, () => {
      const result = parseGithubLogin(login);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, login === '' ? /Give your GitHub login/ : /not a GitHub login/);
    });
  }
  it('strips a leading @', () => assert.deepEqual(parseGithubLogin('@octocat'), { ok: true, value: 'octocat' }));
});

describe('parseGithubRepo', () => {
  const expected = { ok: true, value: { owner: 'octocat', name: 'rust-course' } };
  for (const text of [
    'octocat/rust-course',
    'https://github.com/octocat/rust-course',
    'https://github.com/octocat/rust-course.git',
    'github.com/octocat/rust-course/tree/main/exercises',
    'git@github.com:octocat/rust-course.git',
    '  octocat/rust-course  ',
  ]) {
    it(`reads ${text.trim()}`, () => assert.deepEqual(parseGithubRepo(text), expected));
  }
  for (const [text, problem] of [
    ['rust-course', /write it as owner\/name/],
    ['octo cat/rust', /not a repository/],
    ['-octo/rust', /not a valid GitHub owner/],
    ['octocat/..', /not a valid repository name/],
    ['octocat/has space', /not a repository/],
    [`octocat/${'r'.repeat(101)}`, /not a valid repository name/],
  ] as const) {
    it(`refuses "${text}"`, () => {
      const result = parseGithubRepo(text);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, problem);
    });
  }
});
