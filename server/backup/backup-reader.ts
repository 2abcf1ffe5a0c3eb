import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import unzipper from 'unzipper';
import { latestSchemaVersion } from '../../db/sqlite-connection.js';
import { inspectDatabaseFile } from '../../db/sqlite-online-backup.js';
import { DomainError, ValidationError } from '../../licensing/shared/domain-error.js';
import { formatZodIssues } from '../../protocol/signed-envelope.js';
import { backupManifestSchema, DATABASE_ENTRY, MANIFEST_ENTRY, type BackupManifest } from './backup-manifest.js';

/** A backup whose every file matched its manifest, extracted into `directory` (same layout as the zip). */
export interface CheckedBackup {
  manifest: BackupManifest;
  directory: string;
  /** PRAGMA integrity_check of the extracted database: always "ok" here. */
  integrity: string;
}

const MANIFEST_LIMIT = 64 * 1024;

/**
 * Extracts and checks an archive: the manifest parses, every file it lists is there with its size and
 * sha256, nothing else is, the database passes integrity_check and is not newer than this code. Anything
 * else is BACKUP_CORRUPT (or DATABASE_TOO_NEW) and the staging directory is removed.
 */
export async function extractBackup(file: string, parentDir: string = tmpdir()): Promise<CheckedBackup> {
  const directory = await mkdtemp(join(parentDir, '.satellite-restore-'));
  try {
    const manifest = await extractInto(file, directory);
    const database = inspectDatabaseFile(join(directory, DATABASE_ENTRY));
    if (database.integrity !== 'ok') throw corrupt(`the database in the archive fails integrity_check: ${database.integrity}`);
    if (database.schemaVersion !== manifest.schemaVersion) {
      throw corrupt(`the manifest says schema version ${manifest.schemaVersion} but the database is at ${database.schemaVersion}`);
    }
    if (manifest.schemaVersion > latestSchemaVersion) {
      throw new DomainError('DATABASE_TOO_NEW', `the backup's database is at schema version ${manifest.schemaVersion}, newer than this satellite `
        + `supports (${latestSchemaVersion}); restore it with satellite ${manifest.appVersion} or later`, { schemaVersion: manifest.schemaVersion });
    }
    return { manifest, directory, integrity: database.integrity };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function extractInto(file: string, directory: string): Promise<BackupManifest> {
  let archive;
  try {
    archive = await unzipper.Open.file(file);
  } catch (error) {
    throw corrupt(`not a readable zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  const byName = new Map(archive.files.filter((f) => f.type === 'File').map((f) => [f.path, f]));
  const manifestEntry = byName.get(MANIFEST_ENTRY);
  if (!manifestEntry) throw corrupt(`no ${MANIFEST_ENTRY}: this is not a satellite backup`);
  if (manifestEntry.uncompressedSize > MANIFEST_LIMIT) throw corrupt(`${MANIFEST_ENTRY} is too large`);
  let raw: unknown;
  try {
    raw = JSON.parse((await manifestEntry.buffer()).toString('utf8'));
  } catch (error) {
    throw corrupt(`${MANIFEST_ENTRY} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = backupManifestSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(`${MANIFEST_ENTRY}: ${formatZodIssues(parsed.error)}`);
  const manifest = parsed.data;
  const listed = new Set([MANIFEST_ENTRY, ...manifest.files.map((f) => f.name)]);
  const extra = [...byName.keys()].filter((name) => !listed.has(name));
  if (extra.length > 0) throw corrupt(`files not in the manifest: ${extra.join(', ')}`);
  if (!manifest.files.some((f) => f.name === DATABASE_ENTRY)) throw corrupt(`the manifest lists no ${DATABASE_ENTRY}`);
  for (const expected of manifest.files) {
    const entry = byName.get(expected.name);
    if (!entry) throw corrupt(`${expected.name} is listed in the manifest but missing`);
    const target = join(directory, expected.name);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const hash = createHash('sha256');
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        // The manifest says how big the file is; never inflate more than that (a zip bomb stops here).
        if (bytes > expected.bytes) done(corrupt(`${expected.name} is larger than the manifest says`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(entry.stream(), counter, createWriteStream(target, { mode: 0o600 }));
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw corrupt(`${expected.name} cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
    await chmod(target, 0o600);
    const digest = hash.digest('hex');
    if (bytes !== expected.bytes || digest !== expected.sha256) {
      throw corrupt(`${expected.name} does not match the manifest (sha256 ${digest}, expected ${expected.sha256})`);
    }
  }
  return manifest;
}

export function corrupt(message: string): DomainError {
  return new ValidationError(`BACKUP_CORRUPT: ${message}`, { reason: 'BACKUP_CORRUPT' });
}
