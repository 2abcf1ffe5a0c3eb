import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import type { SqliteDatabase } from './sqlite-connection.js';

/**
 * A consistent copy of a live database through SQLite's online backup API. better-sqlite3 copies a batch of
 * pages per event-loop turn, so device requests keep being served while it runs; a write in between makes
 * SQLite restart the copy from a fresh snapshot, so the result is always one committed state. Never copy the
 * file itself: with WAL the newest commits live in satellite.db-wal, and a copy of the main file alone may
 * have no tables at all.
 */
export async function backupDatabaseTo(db: SqliteDatabase, destination: string): Promise<void> {
  await db.backup(destination);
}

/** The database file plus its write-ahead log, as the disk sees them. 0 for an in-memory database. */
export function databaseFileBytes(db: SqliteDatabase): number {
  if (db.memory) return 0;
  return [db.name, `${db.name}-wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

export interface DatabaseFileReport {
  schemaVersion: number;
  /** PRAGMA integrity_check: "ok", or the problems SQLite reports. */
  integrity: string;
}

/**
 * Reads a database file that is not in use (a restored or extracted snapshot) without migrating it. A file
 * that is not a database at all is reported as such rather than thrown.
 */
export function inspectDatabaseFile(file: string): DatabaseFileReport {
  let db: SqliteDatabase | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return { schemaVersion: db.pragma('user_version', { simple: true }) as number, integrity: rows.map((r) => r.integrity_check).join('; ') };
  } catch (error) {
    return { schemaVersion: 0, integrity: `not a readable SQLite database (${error instanceof Error ? error.message : String(error)})` };
  } finally {
    db?.close();
  }
}
