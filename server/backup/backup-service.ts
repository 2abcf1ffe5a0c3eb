import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Transform, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { SqliteBackupHistory, type BackupRecord } from '../../db/repositories/sqlite-backup-history.js';
import type { SqliteDatabase } from '../../db/sqlite-connection.js';
import type { PkiMaterial } from '../../licensing/pki/pki-material.js';
import type { Clock } from '../../licensing/shared/clock.js';
import type { BackupManifest } from './backup-manifest.js';
import { writeBackupArchive } from './backup-writer.js';

export interface BackupServiceDeps {
  db: SqliteDatabase;
  pkiMaterial: PkiMaterial;
  clock: Clock;
}

/** Online backups of a running satellite (DESIGN §11): the CLI, the admin API and the schedule share this. */
export class BackupService {
  readonly #deps: BackupServiceDeps;
  readonly #history: SqliteBackupHistory;

  constructor(deps: BackupServiceDeps) {
    this.#deps = deps;
    this.#history = new SqliteBackupHistory(deps.db);
  }

  /** Streams an archive (an HTTP download); recorded as the last success once the stream has finished. */
  async writeTo(out: Writable, trigger: string, label = 'download'): Promise<BackupManifest> {
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    counter.pipe(out);
    const [manifest] = await Promise.all([writeBackupArchive(this.#source(), counter), finished(out)]);
    this.#record({ createdAt: Date.parse(manifest.createdAt), file: label, bytes, trigger });
    return manifest;
  }

  /** Writes `file` atomically (a partial archive never carries the final name). */
  async createFile(file: string, trigger: string): Promise<{ manifest: BackupManifest; bytes: number }> {
    const partial = `${file}.partial`;
    try {
      const manifest = await writeBackupArchive(this.#source(), createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, file);
      const { size } = await stat(file);
      this.#record({ createdAt: Date.parse(manifest.createdAt), file, bytes: size, trigger });
      return { manifest, bytes: size };
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  lastSuccess(): BackupRecord | null {
    return this.#history.lastSuccess();
  }

  #source() {
    return { db: this.#deps.db, pkiMaterial: this.#deps.pkiMaterial, now: this.#deps.clock.now() };
  }

  #record(record: BackupRecord): void {
    if (this.#deps.db.open) this.#history.recordSuccess(record);
  }
}
