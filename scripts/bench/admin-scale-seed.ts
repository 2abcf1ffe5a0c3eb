import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { seedScaleInventory } from '../../db/sqlite-scale-seeder.js';
import { defaultLicensingTimers } from '../../licensing/shared/licensing-timers.js';
import type { Clock } from '../../licensing/shared/clock.js';
import { uuidGenerator } from '../../licensing/shared/id-generator.js';
import { composeSatellite, type Satellite } from '../../server/composition-root.js';
import { loadOrCreatePki } from '../../server/pki/pki-file-store.js';
import { SatelliteSeeder } from '../../server/seed/satellite-seeder.js';

export const SCALE_ACCOUNT = 'Scale';
export const SCALE_TAGS = ['regid.2026-01.com.example.DNA_ADV', 'regid.2026-01.com.example.DNA_ESS', 'regid.2026-01.com.example.NET_ADV'];
export const scaleVirtualAccountName = (index: number): string => `Fleet ${index + 1}`;

export interface ScaleSeedSpec {
  /** The satellite's data directory: satellite.db and the PKI go here (config.dataDir / databaseFile layout). */
  dataDir: string;
  databaseFile?: string;
  instances: number;
  virtualAccounts?: number;
  clock: Clock;
}

/**
 * Seeds a data directory with one account ("Scale"), `virtualAccounts` VAs ("Fleet 1".."Fleet N") with
 * license lines covering every seeded seat, and `instances` bulk rows spread over them (db/sqlite-scale-seeder.ts).
 * For the scale benches (npm run bench:scale and the admin-at-1M probe): register real devices beside these
 * rows through the protocol when a run needs keys. Returns the satellite, still open, for more seeding.
 */
export async function seedAdminScale(spec: ScaleSeedSpec): Promise<Satellite> {
  mkdirSync(spec.dataDir, { recursive: true });
  const databaseFile = spec.databaseFile ?? join(spec.dataDir, 'satellite.db');
  const fresh = !existsSync(databaseFile);
  const now = spec.clock.now();
  const pki = await loadOrCreatePki(spec.dataDir, { hostNames: ['localhost'], now, commonName: 'Scale Satellite' });
  const satellite = await composeSatellite({
    databaseFile, pkiMaterial: pki.material, clock: spec.clock, newId: uuidGenerator, timers: defaultLicensingTimers,
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  if (!fresh) return satellite;
  const seeder = new SatelliteSeeder(satellite);
  seeder.account(SCALE_ACCOUNT);
  const vaCount = spec.virtualAccounts ?? 4;
  const vaIds: string[] = [];
  for (let i = 0; i < vaCount; i += 1) {
    const va = seeder.virtualAccount(SCALE_ACCOUNT, scaleVirtualAccountName(i));
    vaIds.push(va.id);
    for (const tag of SCALE_TAGS) {
      seeder.licenseLine(SCALE_ACCOUNT, va.name, { tag, displayName: tag.split('.').pop() ?? tag, quantity: spec.instances });
    }
  }
  seedScaleInventory(satellite.db, { virtualAccountIds: vaIds, instances: spec.instances, now, tags: SCALE_TAGS });
  return satellite;
}
