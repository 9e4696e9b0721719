import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv } from '../helpers/clean-env.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

async function simulate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', '-s', 'simulate', '--', ...args], { cwd: REPO, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const [code] = (await once(child, 'close')) as [number];
  return { code, stdout, stderr };
}

describe('npm run simulate', { timeout: 120_000 }, () => {
  it('prints two weeks of a demo cohort: the module post, buddies, the digest and the due-date reminder', async () => {
    const { code, stdout } = await simulate(['--weeks', '2', '--timezone', 'Europe/Berlin']);
    assert.equal(code, 0);
    assert.match(stdout, /── Mon \d+ \w+ 09:00 · #Demo cohort ──\nModule 01 · Core Rust Fluency starts now/);
    assert.match(stdout, /direct message to \w+ ──\nYour study buddy for Module 01/);
    assert.match(stdout, /── Fri \d+ \w+ 17:00 · #Demo cohort ──\n📅 Demo cohort: the week in review/);
    assert.match(stdout, /── Sat \d+ \w+ 09:00 · #Demo cohort ──\n! ⏰ Module 01 · Core Rust Fluency is due/);
  });

  it('refuses a bad --weeks in one line', async () => {
    const { code, stderr } = await simulate(['--weeks', 'many']);
    assert.equal(code, 2);
    assert.equal(stderr.trim(), 'simulate: --weeks must be a whole number from 1 to 60');
  });
});
