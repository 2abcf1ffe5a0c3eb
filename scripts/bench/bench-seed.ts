import { pino } from 'pino';
import { systemClock } from '../../licensing/shared/clock.js';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import { composeSatellite, type Satellite } from '../../server/composition-root.js';
import type { SatelliteConfig } from '../../server/config.js';
import { loadOrCreatePki } from '../../server/pki/pki-file-store.js';
import { SatelliteSeeder } from '../../server/seed/satellite-seeder.js';
import {
  BENCH_TAG, benchUdi, mapParallel, newUnregisteredDevice, registerEnvelope, registeredDevice, type BenchDevice,
} from './bench-devices.js';

export interface SeededBench {
  devices: BenchDevice[];
  tokenSecret: string;
  seconds: number;
}

/** Far above what the devices can use, so every AUTHORIZE is granted and the pool never runs short. */
const LICENSE_QUANTITY = 1_000_000;
// Enough in flight to keep both cores busy with key generation, CSR checks and certificate signing.
const SEED_PARALLELISM = 32;

export async function openSatellite(config: SatelliteConfig): Promise<Satellite> {
  const pki = await loadOrCreatePki(config.dataDir, { hostNames: config.hostNames, now: systemClock.now(), commonName: config.name });
  return composeSatellite({
    databaseFile: config.databaseFile, pkiMaterial: pki.material, clock: systemClock, newId: uuidGenerator,
    timers: config.timers, logger: pino({ level: 'warn' }, pino.destination(2)),
  });
}

/**
 * Seeds the data directory before the server starts, in this process: an account, a VA with a large line
 * for the bench tag, an unlimited token, and `deviceCount` instances registered through the real device
 * protocol handler (real CSRs, real certificates), keeping each device's key to sign with later.
 */
export async function seedBench(config: SatelliteConfig, deviceCount: number, runPrefix: string,
  onProgress: (done: number) => void): Promise<SeededBench> {
  const started = performance.now();
  const satellite = await openSatellite(config);
  try {
    const seeder = new SatelliteSeeder(satellite);
    seeder.account('Bench');
    seeder.virtualAccount('Bench', 'Load');
    seeder.licenseLine('Bench', 'Load', { tag: BENCH_TAG, displayName: 'Bench Feature', quantity: LICENSE_QUANTITY });
    const { secret } = seeder.token('Bench', 'Load', { description: 'bench token', maxUses: null, expiresAfterDays: 1 });
    let done = 0;
    const devices = await mapParallel(deviceCount, SEED_PARALLELISM, async (index) => {
      const device = await newUnregisteredDevice(benchUdi(runPrefix, index));
      const exchange = await satellite.deviceHandler.handle(registerEnvelope(device, secret, systemClock.now()));
      if (exchange.kind !== 'answered') throw new Error(`REGISTER envelope was unreadable: ${exchange.reason}`);
      done += 1;
      if (done % 1000 === 0) onProgress(done);
      return registeredDevice(device, exchange.envelopeText);
    });
    return { devices, tokenSecret: secret, seconds: (performance.now() - started) / 1000 };
  } finally {
    satellite.close();
  }
}
