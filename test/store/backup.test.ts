import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/store.ts';
import { cleanEnv } from '../helpers/clean-env.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('npm run backup', { timeout: 60_000 }, () => {
  it('copies the database consistently while the bot keeps writing, and refuses to overwrite a file', async () => {
    const dir = tempDir();
    const database = path.join(dir, 'live.db');
    const store = openStore(database);
    const cohort = store.cohorts.create({ platform: 'console', workspaceId: 'local', channelId: 'c', name: 'Winter', startDate: '2026-12-07', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, new Date());
    let joined = 0;
    // The running bot: learners keep joining while the copy is made, a thousand a second (a real cohort joins far
    // slower); at most 60,000, so a slow start of the backup on a busy machine does not make it copy an ever
    // larger file.
    const writer = setInterval(() => {
      for (let i = 0; i < 10 && joined < 60_000; i += 1) store.learners.join(cohort.id, `u${joined}`, `Learner ${joined++}`, new Date());
    }, 10);
    const copy = path.join(dir, 'copy.db');
    const run = (target: string) => {
      const child = spawn('npm', ['run', '-s', 'backup', '--', target], { cwd: REPO, env: { ...cleanEnv(), DATABASE_PATH: database } });
      let output = '';
      child.stdout.on('data', (c) => (output += String(c)));
      child.stderr.on('data', (c) => (output += String(c)));
      return once(child, 'exit').then(([code]) => ({ code: code as number, output }));
    };
    const made = await run(copy);
    clearInterval(writer);
    store.close();
    assert.equal(made.code, 0, made.output);
    assert.match(made.output, /copied to .*copy\.db/);

    const backup = new Database(copy, { readonly: true });
    assert.equal((backup.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    const learners = (backup.prepare('SELECT count(*) AS n FROM learners').get() as { n: number }).n;
    assert.ok(learners > 0 && learners <= joined, `${learners} of ${joined} learners, a consistent moment`);
    assert.equal((backup.prepare('SELECT name FROM cohorts').get() as { name: string }).name, 'Winter');
    backup.close();

    const again = await run(copy);
    assert.equal(again.code, 2);
    assert.match(again.output, /copy\.db exists; choose a new file/);
  });
});
