import { z } from 'zod';
import type { SqliteDatabase } from '../sqlite-connection.js';

export interface BackupRecord {
  createdAt: number;
  file: string;
  bytes: number;
  /** cli, api (an admin's name), or schedule. */
  trigger: string;
}

const KEY = 'backup.last_success';
const recordSchema = z.object({ createdAt: z.number().int(), file: z.string(), bytes: z.number().int(), trigger: z.string() });

/**
 * The last successful backup, kept in the settings table (no migration needed): the metrics gauge and the
 * CLI read it. Only the last one: the archives themselves are the history.
 */
export class SqliteBackupHistory {
  readonly #get;
  readonly #put;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.#put = db.prepare<[string, string]>('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)');
  }

  recordSuccess(record: BackupRecord): void {
    this.#put.run(KEY, JSON.stringify(record));
  }

  lastSuccess(): BackupRecord | null {
    const row = this.#get.get(KEY);
    if (!row) return null;
    const parsed = recordSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  }
}
