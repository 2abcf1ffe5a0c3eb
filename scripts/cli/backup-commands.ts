import { resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { systemClock } from '../../licensing/shared/clock.js';
import type { BackupManifest } from '../../server/backup/backup-manifest.js';
import { extractBackup } from '../../server/backup/backup-reader.js';
import { restoreBackup } from '../../server/backup/backup-restore.js';
import { loadConfig } from '../../server/config.js';
import { cliActor } from './cli-actor.js';
import { DATA_OPTION } from './admin-cli-context.js';
import { withSatellite } from './offline-satellite.js';

/** `satellite backup create|verify|restore` (DESIGN §11; docs/operations.md). */
export function registerBackupCommands(program: Command): void {
  const backup = program.command('backup').description('online backups of the database and the PKI, and restoring them');
  backup
    .command('create')
    .description('write a consistent backup (SQLite online backup API) while the satellite keeps serving')
    .requiredOption('--out <file>', 'the archive to write (a zip)')
    .option(...DATA_OPTION)
    .action(async (opts: { out: string; data?: string }) => {
      await withSatellite(opts.data, async (satellite) => {
        const { manifest, bytes } = await satellite.backups.createFile(resolve(opts.out), cliActor());
        process.stdout.write(`${resolve(opts.out)}\n`);
        process.stderr.write(`${describe(manifest)}; ${bytes} bytes\n`);
      });
    });
  backup
    .command('verify <file>')
    .description('check an archive: manifest, sha256 of every file, database integrity and schema version')
    .action(async (file: string) => {
      const checked = await extractBackup(resolve(file));
      await rm(checked.directory, { recursive: true, force: true });
      process.stdout.write(`ok: ${describe(checked.manifest)}; integrity_check ${checked.integrity}\n`);
    });
  backup
    .command('restore <file>')
    .description('restore an archive into a data directory (stop the satellite there first)')
    .requiredOption('--data <dir>', 'the data directory to restore into (created if missing)')
    .option('--force', 'replace a data directory that holds another satellite')
    .action(async (file: string, opts: { data: string; force?: boolean }) => {
      const config = loadConfig({ ...process.env, SATELLITE_DATA_DIR: opts.data });
      const result = await restoreBackup(resolve(file), { dataDir: config.dataDir, databaseFile: config.databaseFile }, {
        force: opts.force ?? false, now: systemClock.now(),
      });
      for (const moved of result.movedAside) process.stderr.write(`kept the replaced file as ${moved}\n`);
      process.stdout.write(`restored ${describe(result.manifest)} into ${config.dataDir}\n`);
    });
}

function describe(manifest: BackupManifest): string {
  return `satellite ${manifest.satelliteId.slice(0, 16)}…, schema ${manifest.schemaVersion}, version ${manifest.appVersion}, taken ${manifest.createdAt}`;
}
