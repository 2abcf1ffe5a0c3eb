import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { schemaVersion, type SqliteDatabase } from '../../db/sqlite-connection.js';
import { backupDatabaseTo } from '../../db/sqlite-online-backup.js';
import type { PkiMaterial } from '../../licensing/pki/pki-material.js';
import { PKI_FILES } from '../pki/pki-file-store.js';
import { SATELLITE_VERSION } from '../version.js';
import { BACKUP_FORMAT, DATABASE_ENTRY, MANIFEST_ENTRY, PKI_PREFIX, satelliteIdOf, type BackupManifest } from './backup-manifest.js';

export interface BackupSource {
  db: SqliteDatabase;
  pkiMaterial: PkiMaterial;
  now: number;
}

/**
 * One zip: manifest.json first (ids, versions, sha256 of every file), the database snapshot and the PKI.
 * The snapshot is taken with SQLite's online backup API into a private temporary file, then zipped: the
 * live database is never read as a file.
 */
export async function writeBackupArchive(source: BackupSource, out: Writable): Promise<BackupManifest> {
  const staging = await mkdtemp(join(tmpdir(), 'satellite-backup-'));
  try {
    const snapshot = join(staging, DATABASE_ENTRY);
    await backupDatabaseTo(source.db, snapshot);
    const pkiEntries = (Object.keys(PKI_FILES) as Array<keyof PkiMaterial>)
      .map((key) => ({ name: `${PKI_PREFIX}${PKI_FILES[key]}`, content: Buffer.from(source.pkiMaterial[key], 'utf8') }));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: 1,
      satelliteId: satelliteIdOf(source.pkiMaterial.rootCertificatePem),
      schemaVersion: schemaVersion(source.db),
      appVersion: SATELLITE_VERSION,
      createdAt: new Date(source.now).toISOString(),
      files: [
        { name: DATABASE_ENTRY, bytes: (await stat(snapshot)).size, sha256: await sha256File(snapshot) },
        ...pkiEntries.map((e) => ({ name: e.name, bytes: e.content.length, sha256: sha256(e.content) })),
      ],
    };
    const archive = new ZipArchive({ zlib: { level: 6 } });
    const done = new Promise<void>((resolve, reject) => {
      archive.on('error', reject);
      archive.on('warning', reject);
      out.on('error', reject);
      out.on('finish', resolve);
      out.on('close', resolve);
    });
    archive.pipe(out);
    const date = new Date(source.now);
    archive.append(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { name: MANIFEST_ENTRY, date, mode: 0o600 });
    archive.append(createReadStream(snapshot), { name: DATABASE_ENTRY, date, mode: 0o600 });
    for (const entry of pkiEntries) archive.append(entry.content, { name: entry.name, date, mode: 0o600 });
    await Promise.all([archive.finalize(), done]);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
