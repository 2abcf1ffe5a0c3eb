import Database from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite-connection.js';

/**
 * A second, read-only connection to a database another connection of the process opened (and migrated):
 * for readers on other threads (the instance read worker). WAL lets it read while the writer goes on;
 * the busy timeout covers the moments a checkpoint or recovery holds the file.
 */
export function openReadConnection(filename: string): SqliteDatabase {
  const db = new Database(filename, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
