import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Rust files of a crate that `cargo fmt` would change, by `rustfmt --check` with the crate's edition (no
 * rustfmt.toml: the learner's repo has none). The course tells learners to run `cargo fmt`: were an official test
 * file not already formatted, it would be rewritten and the tamper check would refuse the learner's passes.
 * Returns undefined when rustfmt is not installed, and the parse error when a file does not parse.
 */
export function unformattedRustFiles(crateDir: string): { files: string[] } | { error: string } | undefined {
  const files = rustFiles(crateDir);
  if (files.length === 0) return { files: [] };
  const run = spawnSync('rustfmt', ['--check', '--files-with-diff', '--edition', crateEdition(crateDir), ...files], { encoding: 'utf8' });
  if (run.error) return undefined;
  if (run.status !== 0 && run.stdout.trim() === '') return { error: run.stderr.trim().split('\n')[0] ?? `rustfmt exited with ${run.status}` };
  // rustfmt follows `mod` declarations, so a module file given too is reported twice.
  return { files: [...new Set(run.stdout.split('\n').filter(Boolean).map((file) => path.relative(crateDir, file).split(path.sep).join('/')))] };
}

/** The crate's `edition`, or cargo's default when it names none. */
function crateEdition(crateDir: string): string {
  const manifest = path.join(crateDir, 'Cargo.toml');
  const text = existsSync(manifest) ? readFileSync(manifest, 'utf8') : '';
  return /^\s*edition\s*=\s*"(\d{4})"/m.exec(text)?.[1] ?? '2015';
}

function rustFiles(crateDir: string): string[] {
  if (!existsSync(crateDir)) return [];
  return readdirSync(crateDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.rs') && !file.split(path.sep).includes('target'))
    .sort()
    .map((file) => path.join(crateDir, file));
}
