import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError } from '../../licensing/shared/domain-error.js';
import { PKI_FILES } from '../pki/pki-file-store.js';
import { DATABASE_ENTRY, PKI_PREFIX, satelliteIdOf, type BackupManifest } from './backup-manifest.js';
import { extractBackup } from './backup-reader.js';
import { readListeningFile } from '../first-start/listening-file.js';

export interface RestoreTarget {
  dataDir: string;
  /** Where the satellite keeps its database (SATELLITE_DATABASE, default <data>/satellite.db). */
  databaseFile: string;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Files of the data directory moved aside (never deleted), with the suffix `.before-restore-<time>`. */
  movedAside: string[];
}

/**
 * Restores an archive into a data directory; the satellite must not be running there. Refuses a corrupt
 * archive and one newer than this code (extractBackup), and, unless forced, an archive of another satellite
 * (another root CA) over a directory that already holds one. What it replaces is renamed, not deleted, and the
 * old database's -wal and -shm go with it: a stale WAL next to the restored file would be replayed into it.
 */
export async function restoreBackup(file: string, target: RestoreTarget, options: { force?: boolean; now: number }): Promise<RestoreResult> {
  const serving = readListeningFile(target.dataDir);
  if (serving && processAlive(serving.pid) && !options.force) {
    throw new ConflictError(`a satellite (pid ${serving.pid}) is serving from ${target.dataDir}; stop it before restoring into that directory (--force if that process is not a satellite)`,
      { reason: 'SATELLITE_RUNNING' });
  }
  await mkdir(target.dataDir, { recursive: true, mode: 0o700 });
  const checked = await extractBackup(file, target.dataDir);
  try {
    const existingRoot = join(target.dataDir, 'pki', PKI_FILES.rootCertificatePem);
    if (existsSync(existingRoot) && !options.force) {
      const existingId = satelliteIdOf(readFileSync(existingRoot, 'utf8'));
      if (existingId !== checked.manifest.satelliteId) {
        throw new ConflictError(`${target.dataDir} holds another satellite (root CA ${existingId.slice(0, 16)}…) than the backup `
          + `(${checked.manifest.satelliteId.slice(0, 16)}…); its devices trust a different root. Restore into a new directory, or pass --force to replace it`,
        { reason: 'BACKUP_OTHER_SATELLITE' });
      }
    }
    const suffix = `.before-restore-${new Date(options.now).toISOString().replace(/[:.]/g, '-')}`;
    const movedAside: string[] = [];
    const moveAside = async (path: string): Promise<void> => {
      if (!existsSync(path)) return;
      await rename(path, `${path}${suffix}`);
      movedAside.push(`${path}${suffix}`);
    };
    for (const path of [target.databaseFile, `${target.databaseFile}-wal`, `${target.databaseFile}-shm`]) await moveAside(path);
    await mkdir(join(target.dataDir, 'pki'), { recursive: true, mode: 0o700 });
    for (const entry of checked.manifest.files) {
      if (entry.name === DATABASE_ENTRY) continue;
      const destination = join(target.dataDir, 'pki', entry.name.slice(PKI_PREFIX.length));
      const incoming = join(checked.directory, entry.name);
      // The same satellite's files are usually identical: nothing to keep aside then.
      if (existsSync(destination) && (await readFile(destination)).equals(await readFile(incoming))) continue;
      await moveAside(destination);
      await rename(incoming, destination);
    }
    // The database last: a directory with a database and no PKI would look like a half restore.
    await moveInto(join(checked.directory, DATABASE_ENTRY), target.databaseFile);
    // The initial admin password of the directory being replaced means nothing for the restored users.
    await rm(join(target.dataDir, 'initial-admin-password'), { force: true });
    return { manifest: checked.manifest, movedAside };
  } finally {
    await rm(checked.directory, { recursive: true, force: true });
  }
}

/** SATELLITE_DATABASE may live on another file system than the data directory, where rename cannot go. */
async function moveInto(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, `${to}.restoring`);
    await rename(`${to}.restoring`, to);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
