import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Course } from '../core/course.ts';
import { exerciseCrates, uniqueCrates } from './exercise-crates.ts';
import { gitBlobSha } from './git-blob-sha.ts';

/** One of a starter crate's own files (what `--plan` compares: not tests/, target/ or Markdown), as the learner's repo holds it. */
export interface StarterFile {
  /** Path in the learner's repo: `exercises/<crate>/<file>`. */
  path: string;
  sha: string;
  /** Where it is in content/. */
  source: string;
}

/** Every starter crate's own files, each crate once, in course order. */
export function starterFiles(course: Course, contentDir: string): StarterFile[] {
  return uniqueCrates(exerciseCrates(course, contentDir)).flatMap((crate) =>
    starterOwnFiles(crate.starterDir).map((file) => {
      const source = path.join(crate.starterDir, file);
      return { path: `exercises/${crate.crateId}/${file}`, sha: gitBlobSha(readFileSync(source)), source };
    }),
  );
}

/** An exercise's files as `--plan` compares them: all but tests/, target/ and Markdown, forward slashes, sorted. */
export function starterOwnFiles(crateDir: string): string[] {
  return readdirSync(crateDir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => !/^(tests|target)(\/|$)/.test(f) && !f.toLowerCase().endsWith('.md') && f !== 'Cargo.lock' && statSync(path.join(crateDir, f)).isFile())
    .sort();
}
