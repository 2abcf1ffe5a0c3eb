import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '../licensing/shared/domain-error.js';
import { migrations, type Migration } from './migrations/migration-list.js';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:' for tests and embedders. */
  filename: string;
  readonly?: boolean;
  /** Another database's list (the reference upstream's, db/upstream/); defaults to the satellite's. */
  migrations?: readonly Migration[];
}

/** Opens the database, applies pending migrations, and refuses a schema newer than this code. */
export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  if (options.filename !== ':memory:' && !options.readonly) createPrivately(options.filename);
  const db = new Database(options.filename, { readonly: options.readonly ?? false });
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Savepoints (one per device request in a group commit) keep the pages they change in a sub-journal so they
    // can roll back alone. On disk that is a temporary file written on every request; it is never read after a
    // crash, so keeping it in memory changes nothing about durability and saves those writes.
    db.pragma('temp_store = MEMORY');
    migrate(db, options.migrations ?? migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The database holds password and token digests and every account's books: only the satellite's user may
 * read it. SQLite gives the -wal and -shm files the mode of the main file, so creating that one 0600 (before
 * SQLite does, with the umask's 0644) covers all three. An existing file keeps the mode its owner chose.
 */
function createPrivately(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(filename, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export const latestSchemaVersion = newestVersion(migrations);

function newestVersion(list: readonly Migration[]): number {
  return list.reduce((newest, m) => Math.max(newest, m.version), 0);
}

/** By version, not position: a list may skip numbers allocated to another branch until that branch merges. */
function migrate(db: SqliteDatabase, list: readonly Migration[]): void {
  const current = schemaVersion(db);
  const newest = newestVersion(list);
  if (current > newest) {
    throw new DomainError(
      'DATABASE_TOO_NEW',
      `database schema version ${current} is newer than this satellite supports (${newest}); upgrade the satellite or restore a matching backup`,
    );
  }
  const pending = list.filter((m) => m.version > current);
  if (pending.length === 0) return;
  // Rebuilding a referenced table (SQLite's way to change a CHECK) needs foreign keys off, which only takes
  // effect outside a transaction; each migration checks every reference before it commits instead.
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of pending) {
      db.transaction(() => {
        db.exec(migration.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`migration ${migration.version} leaves ${broken.length} broken foreign keys`);
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
