import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scheduledMessages } from '../../src/chat/views/scheduled-messages.ts';
import { createContentLinks } from '../../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { createLogger } from '../../src/logger.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * A crash in the middle of a scheduler round — a kill -9 while any one message of the round is being written — and a
 * restart: the channel and the learners end up with exactly what one uninterrupted round sends, nothing twice and
 * nothing lost. Sat 19 Dec 2026 09:00 in Berlin: module 01's assignment (caught up), its due-date reminder, last
 * Friday's digest (late), the study buddies and the nudges are all due, in two cohorts on different clocks.
 */
const NOW = new Date('2026-12-19T08:00:00Z');
const CHILD = fileURLToPath(new URL('../helpers/scheduler-round-child.ts', import.meta.url));

function seededDatabase(): string {
  const file = path.join(tempDir('cohort-restart-'), 'seed.db');
  const store = openStore(file);
  const joined = new Date('2026-12-01T10:00:00Z');
  for (const [name, timezone] of [['Berlin', 'Europe/Berlin'], ['Tokyo', 'Asia/Tokyo']] as const) {
    const cohort = store.cohorts.create({ platform: 'console', workspaceId: 'local', channelId: `#${name}`, name, startDate: '2026-12-07', timezone, postWeekday: 1, postTime: '09:00' }, joined);
    const learners = ['Ada', 'Bob', 'Cy'].map((who) => store.learners.join(cohort.id, `${name}-${who}`, `${who} (${name})`, joined).learner);
    for (const learner of learners) store.buddies.setOptIn(learner.id, true);
    // Ada passed this week (the digest has news); Bob failed the same exercise on three commits (stuck); Cy is quiet.
    store.results.record({ learnerId: learners[0]!.id, exerciseId: 'ex01-lru-cache', status: 'passed', commit: 'a1', detail: null }, new Date('2026-12-15T10:00:00Z'));
    store.syncState.saw(learners[0]!.id, 'a1', null, new Date('2026-12-15T10:00:00Z'));
    for (const commit of ['b1', 'b2', 'b3']) store.results.record({ learnerId: learners[1]!.id, exerciseId: 'ex01-lru-cache', status: 'failed', commit, detail: null }, new Date('2026-12-16T10:00:00Z'));
    store.syncState.saw(learners[1]!.id, 'b3', null, new Date('2026-12-16T10:00:00Z'));
  }
  store.close();
  return file;
}

function fresh(seed: string, name: string): string {
  const file = path.join(path.dirname(seed), `${name}.db`);
  copyFileSync(seed, file);
  return file;
}

function runChild(database: string, killAt: number) {
  return spawnSync(process.execPath, ['--import', 'tsx', CHILD, database, NOW.toISOString(), String(killAt)], { encoding: 'utf8', timeout: 60_000 });
}

/** A restart: the store opened again and one round run, in this process. */
function restart(database: string): void {
  const store = openStore(database);
  const course = loadCourse();
  createScheduler({ store, course, clock: { now: () => NOW }, logger: createLogger('silent'), onPosted: () => {}, ...scheduledMessages(course, createContentLinks(DEFAULT_CONTENT_DIR, {})) }).tick();
  store.close();
}

/** Every outbox message of every cohort, as what it is, to whom and what it says. */
function sent(database: string): string[] {
  const store = openStore(database);
  const rows = store.cohorts.listActive().flatMap((cohort) => store.outbox.listForCohort(cohort.id).map((m) => `${cohort.name} ${m.kind} ${m.recipientUserId ?? 'channel'} ${JSON.stringify(m.payload)}`));
  store.close();
  return rows.sort();
}

describe('a scheduler round killed mid-way and restarted', () => {
  it('sends exactly what an uninterrupted round sends, wherever the kill lands', { timeout: 10 * 60_000 }, () => {
    const seed = seededDatabase();
    const reference = fresh(seed, 'reference');
    const whole = runChild(reference, 0);
    assert.equal(whole.status, 0, whole.stderr);
    const renders = Number(whole.stdout.trim());
    const expected = sent(reference);
    assert.equal(expected.length, renders);
    const kinds = new Set(expected.map((row) => row.split(' ')[1]));
    for (const kind of ['assignment', 'reminder', 'digest', 'buddies', 'nudge']) assert.ok(kinds.has(kind), `the round sends a ${kind}: ${[...kinds].join(', ')}`);

    for (let killAt = 1; killAt <= renders; killAt += 1) {
      const database = fresh(seed, `kill-${killAt}`);
      const killed = runChild(database, killAt);
      assert.equal(killed.signal, 'SIGKILL', `killed at message ${killAt}: ${killed.stderr}`);
      // What committed before the kill stays; the message being written goes with its transaction (a pairing's
      // introductions are one transaction, so they go together).
      assert.ok(sent(database).length < killAt, `killed at message ${killAt}: its transaction was rolled back`);
      restart(database);
      assert.deepEqual(sent(database), expected, `killed at message ${killAt} of ${renders}`);
    }
  });
});
