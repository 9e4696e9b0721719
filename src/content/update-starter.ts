import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Course } from '../core/course.ts';
import { CHECK_DATA_PATH } from './course-check.ts';
import { gitBlobSha } from './git-blob-sha.ts';
import { readPublished } from './published-files.ts';
import { starterFiles } from './starter-files.ts';
import { officialFiles, writeStarterRepo } from './starter-repo.ts';

/** What `npm run starter -- --update` did to a learner's repo, by repo path. */
export interface StarterUpdate {
  /** Exercise crates the repo did not have, written whole. */
  addedCrates: string[];
  /** Files new to crates the repo had (a milestone's tests, a new module file). */
  added: string[];
  /** The course's files brought to the current version: official files, READMEs, and stubs the learner never touched. */
  replaced: string[];
  /** The learner's own files (their work, a .gitignore of theirs) that differ from the current starter: left as they were. */
  kept: string[];
}

export interface UpdateOptions {
  contentBaseUrl?: string;
  publicUrl?: string;
}

/**
 * Brings a learner's repo, made from an earlier starter, up to the current course without touching their work:
 * new exercises and milestone tests are added, the course's own files (workflow, check, tests, READMEs) replaced,
 * and a starter file replaced only while it is still a version the course published (a stub never worked on).
 * It refuses a repo with uncommitted changes, so every replaced file can be seen in `git diff` and restored.
 */
export function updateStarterRepo(course: Course, contentDir: string, repoDir: string, options: UpdateOptions): StarterUpdate {
  if (!existsSync(path.join(repoDir, CHECK_DATA_PATH))) {
    throw new Error(`${repoDir} has no ${CHECK_DATA_PATH}: it is not a repo made by \`npm run starter\`. To start one, run \`npm run starter -- <new folder>\`.`);
  }
  requireCommitted(repoDir);
  repoDir = realpathSync(repoDir);
  const fresh = mkdtempSync(path.join(os.tmpdir(), 'cohort-starter-update-'));
  try {
    writeStarterRepo(course, contentDir, path.join(fresh, 'repo'), options);
    return merge(path.join(fresh, 'repo'), repoDir, course, contentDir);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

function merge(fromDir: string, repoDir: string, course: Course, contentDir: string): StarterUpdate {
  const official = new Set(officialFiles(course, contentDir).map((f) => f.path));
  const stubs = new Set(starterFiles(course, contentDir).map((f) => f.path));
  const publishedStubs = readPublished(contentDir, 'starters');
  const update: StarterUpdate = { addedCrates: [], added: [], replaced: [], kept: [] };

  const newCrates = readdirSync(path.join(fromDir, 'exercises')).sort().map((crate) => `exercises/${crate}`).filter((crate) => !existsSync(path.join(repoDir, crate)));
  const files = filesUnder(fromDir).filter((file) => !newCrates.some((crate) => file.startsWith(`${crate}/`)));
  // Checked before anything is written, so a refused update leaves the repo as it was.
  for (const target of [...newCrates, ...files]) refuseLinks(repoDir, target);

  for (const crate of newCrates) {
    cpSync(path.join(fromDir, crate), path.join(repoDir, crate), { recursive: true });
    update.addedCrates.push(crate);
  }
  for (const file of files) {
    const current = readFileSync(path.join(fromDir, file));
    const target = path.join(repoDir, file);
    if (!existsSync(target)) {
      write(target, current);
      update.added.push(file);
      continue;
    }
    const theirs = readFileSync(target);
    if (sameText(theirs, current)) continue;
    // Official files and the READMEs are the course's; any other file is the learner's to change, so a starter
    // file is replaced only while it is a version the course published (a stub never worked on).
    const courseOwned = official.has(file) || file.toLowerCase().endsWith('.md');
    const untouchedStub = stubs.has(file) && (publishedStubs.get(file) ?? []).some((sha) => sameSha(theirs, sha));
    if (courseOwned || untouchedStub) {
      write(target, current);
      update.replaced.push(file);
    } else {
      update.kept.push(file);
    }
  }
  return update;
}

/**
 * The update may run on a clone of someone else's repo: a symbolic link on the way to a file it writes could point
 * anywhere (a README linked to ~/.bashrc), so it writes only through plain folders to plain files.
 */
function refuseLinks(repoDir: string, file: string): void {
  let at = repoDir;
  for (const part of file.split('/')) {
    at = path.join(at, part);
    if (lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new Error(`${path.relative(repoDir, at)} in ${repoDir} is a symbolic link: the update writes only plain files inside the repo. Replace the link with the file, commit, and run it again.`);
    }
  }
}

/** Every file under a folder, as forward-slash paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

function write(target: string, content: Buffer): void {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
}

/** The bytes with CRLF turned back into LF, as a Windows checkout with autocrlf changes them. */
function withLf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

/** Equal, also when a Windows checkout turned the learner's LF into CRLF. */
function sameText(theirs: Buffer, current: Buffer): boolean {
  return theirs.equals(current) || withLf(theirs).equals(current);
}

function sameSha(theirs: Buffer, sha: string): boolean {
  return gitBlobSha(theirs) === sha || gitBlobSha(withLf(theirs)) === sha;
}

/** Uncommitted work would be mixed with the update's changes (or overwritten): the learner commits first. */
function requireCommitted(repoDir: string): void {
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repoDir, encoding: 'utf8' });
  if (status.error !== undefined || status.status !== 0) {
    throw new Error(`${repoDir} is not a git repository: the update replaces course files, and git is how you see and undo what it changed. Run \`git init\` and commit your work first.`);
  }
  const changed = status.stdout.split('\n').filter(Boolean);
  if (changed.length > 0) {
    const shown = changed.slice(0, 5).map((line) => line.slice(3)).join(', ');
    throw new Error(`${repoDir} has uncommitted changes (${shown}${changed.length > 5 ? `, and ${changed.length - 5} more` : ''}): commit or stash them first, so the update's changes are the only ones in \`git diff\`.`);
  }
}
