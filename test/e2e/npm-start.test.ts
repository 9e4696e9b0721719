import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv } from '../helpers/clean-env.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

/** `npm start` as a newcomer runs it: no platform tokens, only what the test sets. */
function npmStart(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn('npm', ['start'], { cwd: REPO, env: { ...cleanEnv(), ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** Resolves once stdout contains `text`; fails with what was printed if the process ends first. */
async function waitFor(run: ReturnType<typeof npmStart>, text: string): Promise<void> {
  while (!run.stdout().includes(text)) {
    const ended = await Promise.race([run.exit.then(() => true), new Promise((r) => setTimeout(r, 50)).then(() => false)]);
    if (ended && !run.stdout().includes(text)) assert.fail(`process ended before printing "${text}":\n${run.stdout()}\n${run.stderr()}`);
  }
}

describe('npm start in local mode', { timeout: 60_000 }, () => {
  it('answers /next-module with real module 01 content, exits 0 on end of input, and remembers the cohort', async () => {
    const databasePath = path.join(tempDir(), 'e2e.db');
    const first = npmStart({ DATABASE_PATH: databasePath, TZ: 'Europe/Berlin' });
    await waitFor(first, 'cohort> ');
    assert.match(first.stdout(), /Created "Demo cohort": .*times in Europe\/Berlin/);
    first.child.stdin.write('/next-module\n');
    await waitFor(first, 'ex01-lru-cache');
    first.child.stdin.end();
    assert.equal(await first.exit, 0);
    const out = first.stdout();
    assert.match(out, /Module 01 · Core Rust Fluency/);
    assert.match(out, /Lecture 1: Ownership, moves and borrowing\n\s+file:\/\/.*01-ownership-and-borrowing\.md/);
    assert.match(out, /type \/join/);
    assert.equal(first.stderr(), '', 'nothing on stderr in a normal run');

    const second = npmStart({ DATABASE_PATH: databasePath, TZ: 'Europe/Berlin' });
    second.child.stdin.end('/join\n/join\n');
    assert.equal(await second.exit, 0);
    assert.match(second.stdout(), /Using "Demo cohort"/);
    assert.match(second.stdout(), /Welcome to Demo cohort/);
    assert.match(second.stdout(), /You are already in Demo cohort/);
  });

  it('exits cleanly with code 0 on SIGTERM', async () => {
    const run = npmStart({ DATABASE_PATH: path.join(tempDir(), 'term.db') });
    await waitFor(run, 'cohort> ');
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 0);
  });

  for (const [name, value] of [
    ['DATABASE_PATH', '/nonexistent/dir/x.db'],
    ['LOG_LEVEL', 'loud'],
  ] as const) {
    it(`GIVEN ${name}=${value} THEN prints one clear line naming it and exits 2`, async () => {
      const run = npmStart({ DATABASE_PATH: path.join(tempDir(), 'unused.db'), [name]: value });
      run.child.stdin.end();
      assert.equal(await run.exit, 2);
      const lines = run.stderr().trim().split('\n');
      assert.equal(lines.length, 1, `one line, got:\n${run.stderr()}`);
      assert.match(lines[0] ?? '', new RegExp(`^cohort-bot: configuration error: ${name} is "${value}"`));
      assert.doesNotMatch(run.stderr(), /\s+at /, 'no stack trace');
    });
  }

  it('GIVEN a PORT another program listens on THEN prints one line naming PORT and exits 2', async () => {
    const other = createServer().listen(0, '0.0.0.0');
    await once(other, 'listening');
    const port = (other.address() as AddressInfo).port;
    try {
      const run = npmStart({ DATABASE_PATH: path.join(tempDir(), 'port.db'), PORT: String(port) });
      run.child.stdin.end();
      assert.equal(await run.exit, 2);
      const lines = run.stderr().trim().split('\n');
      assert.deepEqual(lines, [`cohort-bot: configuration error: PORT ${port} is already in use by another program; choose another port (PORT) or stop the other program.`]);
    } finally {
      other.close();
    }
  });
});
