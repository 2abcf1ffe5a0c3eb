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

/** PRAGMA integrity_check of a database file opened read-only: "ok", or the first problems SQLite reports. */
export function integrityCheck(db: SqliteDatabase): string {
  const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).join('; ');
}
