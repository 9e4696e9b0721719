import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_MIGRATIONS_DIR, migrate, MigrationError } from '../../src/store/migrate.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SHIPPED = readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
/** The number a new migration would take, e.g. `003`. */
const NEXT = String(SHIPPED.length + 1).padStart(3, '0');

/** A private copy of migrations/, so a test can edit it. */
function copyOfMigrations(): string {
  const dir = path.join(tempDir(), 'migrations');
  mkdirSync(dir);
  for (const file of readdirSync(DEFAULT_MIGRATIONS_DIR)) copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(dir, file));
  return dir;
}

function tables(file: string): string[] {
  const db = openDatabase(file);
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  db.close();
  return names;
}

describe('migrate', () => {
  it('GIVEN a fresh file THEN applies every migration and records it with a checksum', () => {
    const file = path.join(tempDir(), 'fresh.db');
    const db = openDatabase(file);
    assert.deepEqual(migrate(db), SHIPPED);
    const recorded = db.prepare('SELECT version, name, length(checksum) AS len FROM schema_migrations ORDER BY version').all();
    assert.deepEqual(recorded, SHIPPED.map((name, i) => ({ version: i + 1, name, len: 64 })));
    db.close();
    const names = tables(file);
    for (const table of ['cohorts', 'exercise_results', 'github_cache', 'learners', 'outbox', 'posts', 'schema_migrations']) {
      assert.ok(names.includes(table), `${table} exists`);
    }
  });

  it('GIVEN an up-to-date database THEN a re-run applies nothing and keeps the data', () => {
    const file = path.join(tempDir(), 'rerun.db');
    const first = openStore(file);
    first.cohorts.create({ platform: 'console', workspaceId: 'w', channelId: 'c', name: 'Kept', startDate: '2026-12-07', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, new Date());
    first.close();
    const db = openDatabase(file);
    assert.deepEqual(migrate(db), []);
    assert.equal((db.prepare('SELECT name FROM cohorts').get() as { name: string }).name, 'Kept');
    db.close();
  });

  it('GIVEN a new migration file THEN applies only that one', () => {
    const dir = copyOfMigrations();
    const db = openDatabase(path.join(tempDir(), 'grow.db'));
    migrate(db, dir);
    writeFileSync(path.join(dir, `${NEXT}_add_note.sql`), 'ALTER TABLE cohorts ADD COLUMN note TEXT;');
    assert.deepEqual(migrate(db, dir), [`${NEXT}_add_note.sql`]);
    db.close();
  });

  it('GIVEN an applied file was edited THEN refuses to start and says how to fix it', () => {
    const dir = copyOfMigrations();
    const db = openDatabase(path.join(tempDir(), 'edited.db'));
    migrate(db, dir);
    appendFileSync(path.join(dir, '001_initial.sql'), '\n-- a harmless-looking edit\n');
    assert.throws(() => migrate(db, dir), (error: unknown) => {
      assert.ok(error instanceof MigrationError);
      assert.match(error.message, /001_initial\.sql was edited after it was applied/);
      assert.match(error.message, /new numbered migration/);
      return true;
    });
    db.close();
  });

  it('GIVEN a migration that fails midway THEN none of it is applied', () => {
    const dir = copyOfMigrations();
    const file = path.join(tempDir(), 'atomic.db');
    const db = openDatabase(file);
    migrate(db, dir);
    writeFileSync(path.join(dir, `${NEXT}_broken.sql`), 'CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;');
    assert.throws(() => migrate(db, dir));
    const half = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get() as { n: number };
    assert.equal(half.n, 0);
    assert.equal((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n, SHIPPED.length);
    db.close();
  });

  it('GIVEN a gap or a badly named file THEN refuses with the rule', () => {
    const gap = copyOfMigrations();
    const skipped = String(SHIPPED.length + 2).padStart(3, '0');
    writeFileSync(path.join(gap, `${skipped}_skipped.sql`), 'SELECT 1;');
    assert.throws(() => migrate(openDatabase(path.join(tempDir(), 'gap.db')), gap), new RegExp(`expected number ${NEXT}`));

    const badName = copyOfMigrations();
    writeFileSync(path.join(badName, '2-bad.sql'), 'SELECT 1;');
    assert.throws(() => migrate(openDatabase(path.join(tempDir(), 'bad.db')), badName), /NNN_snake_name\.sql/);
  });

  it('GIVEN a database from a newer version THEN refuses rather than guess', () => {
    const dir = copyOfMigrations();
    const db = openDatabase(path.join(tempDir(), 'newer.db'));
    writeFileSync(path.join(dir, `${NEXT}_future.sql`), 'SELECT 1;');
    migrate(db, dir);
    renameSync(path.join(dir, `${NEXT}_future.sql`), path.join(tempDir(), 'moved.sql'));
    assert.throws(() => migrate(db, dir), /made by a newer version/);
    db.close();
  });

  it('opens with WAL, foreign keys and a busy timeout', () => {
    const db = openDatabase(path.join(tempDir(), 'pragmas.db'));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    db.close();
  });
});
