import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import { systemClock } from '../../licensing/shared/clock.js';
import { INITIAL_ADMIN_USERNAME } from '../../licensing/users/user-service.js';
import { composeSatellite, type Satellite } from '../../server/composition-root.js';
import { loadConfig, type SatelliteConfig } from '../../server/config.js';
import { removeInitialAdminPassword } from '../../server/first-start/initial-admin-password-file.js';
import { loadOrCreatePki, PKI_FILES } from '../../server/pki/pki-file-store.js';
import { upstreamClientOptions } from '../../server/sync/upstream-client-options.js';

/** A directory holds a satellite once it has both its database and its root CA. */
export function holdsSatellite(config: Pick<SatelliteConfig, 'dataDir' | 'databaseFile'>): boolean {
  return existsSync(config.databaseFile) && existsSync(join(config.dataDir, 'pki', PKI_FILES.rootCertificatePem));
}

/**
 * Opens the satellite's data directory for an admin command, next to a running server if there is one
 * (SQLite WAL and the busy timeout make that safe). Commands call the same services as the routes.
 * Only `serve` and `init` create a satellite: a mistyped --data must not quietly make a new root CA.
 */
export async function withSatellite<T>(dataDir: string | undefined, work: (satellite: Satellite) => Promise<T> | T, options: { create?: boolean } = {}): Promise<T> {
  const config = loadConfig({ ...process.env, ...(dataDir ? { SATELLITE_DATA_DIR: dataDir } : {}) });
  if (!options.create && !holdsSatellite(config)) {
    throw new Error(`no satellite in ${config.dataDir} (no ${config.databaseFile} and pki/${PKI_FILES.rootCertificatePem}); `
      + 'point --data or SATELLITE_DATA_DIR at the satellite\'s data directory, or create one with satellite init (or satellite serve)');
  }
  const pki = await loadOrCreatePki(config.dataDir, { hostNames: config.hostNames, now: systemClock.now(), commonName: config.name });
  const satellite = await composeSatellite({
    databaseFile: config.databaseFile, pkiMaterial: pki.material, clock: systemClock, newId: uuidGenerator,
    timers: config.timers, logger: pino({ level: 'warn' }, pino.destination(2)), upstream: upstreamClientOptions(config),
    passwordChanged: (username) => {
      if (username === INITIAL_ADMIN_USERNAME) removeInitialAdminPassword(config.dataDir);
    },
  });
  try {
    return await work(satellite);
  } finally {
    satellite.close();
  }
}
