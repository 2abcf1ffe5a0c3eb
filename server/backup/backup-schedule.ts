import { mkdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../licensing/shared/clock.js';
import { nodeCronScheduler, type CronScheduler } from '../../sync/connected/sync-schedule.js';
import type { BackupService } from './backup-service.js';

const FILE = /^satellite-backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.zip$/;

export interface BackupScheduleDeps {
  backups: Pick<BackupService, 'createFile'>;
  clock: Clock;
  logger: Logger;
  /** Cron expression (SATELLITE_BACKUP_SCHEDULE, same forms as the sync schedule). */
  cronExpression: string;
  directory: string;
  /** How many scheduled archives to keep (SATELLITE_BACKUP_KEEP); older ones are deleted after a success. */
  keep: number;
  scheduler?: CronScheduler;
}

/** Scheduled backups with retention. A failed run deletes nothing, so a broken disk never eats the history. */
export class BackupSchedule {
  readonly #deps: BackupScheduleDeps;
  #task: { stop(): void } | null = null;
  #running = false;

  constructor(deps: BackupScheduleDeps) {
    this.#deps = deps;
  }

  start(): void {
    mkdirSync(this.#deps.directory, { recursive: true, mode: 0o700 });
    this.#task = (this.#deps.scheduler ?? nodeCronScheduler).schedule(this.#deps.cronExpression, () => void this.runOnce());
  }

  stop(): void {
    this.#task?.stop();
    this.#task = null;
  }

  /** One scheduled backup: the new archive's path, or null when a run was already going or it failed (logged). */
  async runOnce(): Promise<string | null> {
    if (this.#running) return null;
    this.#running = true;
    try {
      const stamp = new Date(this.#deps.clock.now()).toISOString().replace(/[:.]/g, '-');
      const file = join(this.#deps.directory, `satellite-backup-${stamp}.zip`);
      const { bytes } = await this.#deps.backups.createFile(file, 'schedule');
      const removed = await pruneBackups(this.#deps.directory, this.#deps.keep);
      this.#deps.logger.info({ file, bytes, removed: removed.length }, 'scheduled backup written');
      return file;
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'scheduled backup failed');
      return null;
    } finally {
      this.#running = false;
    }
  }
}

/** Deletes all but the newest `keep` scheduled archives (by the time in their names); other files are left alone. */
export async function pruneBackups(directory: string, keep: number): Promise<string[]> {
  const archives = (await readdir(directory)).filter((name) => FILE.test(name)).sort();
  const doomed = archives.slice(0, Math.max(0, archives.length - keep));
  for (const name of doomed) await rm(join(directory, name), { force: true });
  return doomed;
}
