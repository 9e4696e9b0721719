import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './open-database.ts';

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations');

/** The store refuses to run on a schema it cannot vouch for; the message says what to do. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

function readMigrations(dir: string): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const migrations = files.map((file) => {
    const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new MigrationError(`migrations/${file}: name it NNN_snake_name.sql, e.g. 002_add_streaks.sql.`);
    const sql = readFileSync(path.join(dir, file), 'utf8');
    return { version: Number(match[1]), name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migrations/${m.name}: expected number ${String(i + 1).padStart(3, '0')}; numbers must run 001, 002, … without gaps.`);
  });
  return migrations;
}

/**
 * Applies each migration not yet recorded, in order, each in its own transaction. An applied file that was
 * edited since is refused: the schema it describes is no longer the one in the database.
 * Returns the names of the migrations applied now.
 */
export function migrate(db: Db, dir: string = DEFAULT_MIGRATIONS_DIR): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Map(
    (db.prepare('SELECT version, name, checksum FROM schema_migrations').all() as { version: number; name: string; checksum: string }[]).map(
      (row) => [row.version, row],
    ),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  const appliedNow: string[] = [];
  const migrations = readMigrations(dir);
  const newest = Math.max(0, ...applied.keys());
  if (newest > migrations.length) {
    throw new MigrationError(
      `This database has migration ${newest} applied, but migrations/ only goes to ${migrations.length}: it was made by a newer version of cohort-bot.`,
    );
  }

  for (const migration of migrations) {
    const done = applied.get(migration.version);
    if (done) {
      if (done.checksum !== migration.checksum || done.name !== migration.name) {
        throw new MigrationError(
          `migrations/${migration.name} was edited after it was applied to this database (as ${done.name}). ` +
            'Restore the original file and put the change in a new numbered migration.',
        );
      }
      continue;
    }
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, migration.checksum, new Date().toISOString());
    })();
    appliedNow.push(migration.name);
  }
  return appliedNow;
}
