import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the SQLite file the way every part of the bot expects: WAL so readers never block the writer,
 * foreign keys enforced, and a busy timeout so a second connection waits instead of failing at once.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  return db;
}
