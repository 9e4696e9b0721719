import { err, ok, type Result } from './result.ts';
import { quoted } from './quoted.ts';

/** GitHub's rules: 1–39 letters, digits or single hyphens, not starting or ending with a hyphen. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** Letters, digits, `.`, `_`, `-`, at most 100, and not `.` or `..`. */
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function parseGithubLogin(text: string): Result<string> {
  const login = text.trim().replace(/^@/, '');
  if (login === '') return err('Give your GitHub login, e.g. octocat.');
  return LOGIN.test(login)
    ? ok(login)
    : err(`${quoted(login)} is not a GitHub login: logins have 1–39 letters, digits or single hyphens, and do not start or end with a hyphen.`);
}

/** `owner/name`, `https://github.com/owner/name(.git)(/…)` or `git@github.com:owner/name.git` → `owner/name`. */
export function parseGithubRepo(text: string): Result<{ owner: string; name: string }> {
  const trimmed = text.trim();
  const path =
    /^(?:https?:\/\/)?(?:www\.)?github\.com\/([^/\s]+)\/([^/\s?#]+)/i.exec(trimmed) ??
    /^git@github\.com:([^/\s]+)\/([^/\s]+)$/i.exec(trimmed) ??
    /^([^/\s]+)\/([^/\s]+)$/.exec(trimmed);
  if (!path) return err(`${quoted(trimmed)} is not a repository: write it as owner/name, e.g. octocat/rust-course, or paste its GitHub URL.`);
  const owner = path[1] ?? '';
  const name = (path[2] ?? '').replace(/\.git$/i, '');
  if (!LOGIN.test(owner)) return err(`${quoted(owner)} is not a valid GitHub owner name.`);
  if (!REPO_NAME.test(name) || name === '.' || name === '..') {
    return err(`${quoted(name)} is not a valid repository name: use letters, digits, ".", "_" or "-", at most 100.`);
  }
  return ok({ owner, name });
}
