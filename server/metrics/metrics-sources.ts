import { databaseFileBytes } from '../../db/sqlite-online-backup.js';
import { SqliteBackupHistory } from '../../db/repositories/sqlite-backup-history.js';
import type { Satellite } from '../composition-root.js';
import type { MetricsSources } from './satellite-metrics.js';

/** The scrape-time readings, each an aggregate through the services the admin API uses. */
export function metricsSources(satellite: Satellite): MetricsSources {
  const backups = new SqliteBackupHistory(satellite.db);
  return {
    poolsShort: () => satellite.licensePools.countShortPools(),
    alertsOpenByType: () => satellite.uow.read((repos) => repos.alerts.countActiveByType()),
    syncLastSuccessAt: () => satellite.uow.read((repos) => repos.satelliteBinding.findSyncState().lastSuccessAt),
    backupLastSuccessAt: () => backups.lastSuccess()?.createdAt ?? null,
    databaseBytes: () => databaseFileBytes(satellite.db),
    now: () => satellite.clock.now(),
  };
}
