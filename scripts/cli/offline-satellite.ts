import { pino } from 'pino';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import { systemClock } from '../../licensing/shared/clock.js';
import { composeSatellite, type Satellite } from '../../server/composition-root.js';
import { loadConfig } from '../../server/config.js';
import { loadOrCreatePki } from '../../server/pki/pki-file-store.js';
import { upstreamClientOptions } from '../../server/sync/upstream-client-options.js';

/**
 * Opens the satellite's data directory for an admin command, next to a running server if there is one
 * (SQLite WAL and the busy timeout make that safe). Commands call the same services as the routes.
 */
export async function withSatellite<T>(dataDir: string | undefined, work: (satellite: Satellite) => Promise<T> | T): Promise<T> {
  const config = loadConfig({ ...process.env, ...(dataDir ? { SATELLITE_DATA_DIR: dataDir } : {}) });
  const pki = await loadOrCreatePki(config.dataDir, { hostNames: config.hostNames, now: systemClock.now(), commonName: config.name });
  const satellite = await composeSatellite({
    databaseFile: config.databaseFile, pkiMaterial: pki.material, clock: systemClock, newId: uuidGenerator,
    timers: config.timers, logger: pino({ level: 'warn' }, pino.destination(2)), upstream: upstreamClientOptions(config),
  });
  try {
    return await work(satellite);
  } finally {
    satellite.close();
  }
}
