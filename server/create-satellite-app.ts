import type { Express } from 'express';
import { pino, type Logger } from 'pino';
import { generatePkiMaterial, type PkiMaterial } from '../licensing/pki/pki-material.js';
import { systemClock, type Clock } from '../licensing/shared/clock.js';
import { uuidGenerator, type IdGenerator } from '../licensing/shared/id-generator.js';
import { defaultLicensingTimers, type LicensingTimers } from '../licensing/shared/licensing-timers.js';
import { defaultAuthPolicy, type AuthPolicy } from '../licensing/users/auth-policy.js';
import { composeSatellite, type Satellite } from './composition-root.js';
import { defaultHttpOptions, type DeviceCryptoOptions, type HttpOptions } from './config.js';
import { createApp } from './create-app.js';
import { SatelliteSeeder } from './seed/satellite-seeder.js';

export interface SatelliteAppOptions {
  /** Defaults to the system clock; pass a ManualClock to move time in tests. */
  clock?: Clock;
  newId?: IdGenerator;
  timers?: Partial<LicensingTimers>;
  /** Session and bearer-token timeouts, lockout. */
  auth?: Partial<AuthPolicy>;
  /** Defaults to an in-memory database that disappears with the app. */
  databaseFile?: string;
  /** Reuse one PKI across many apps to save key generation in large suites. */
  pkiMaterial?: PkiMaterial;
  http?: Partial<HttpOptions>;
  logger?: Logger;
  /** Device signature checking; defaults to inline with the default key cache (no worker threads). */
  deviceCrypto?: DeviceCryptoOptions;
  /** Instance lists and exports on a read worker thread; only with a databaseFile, off by default. */
  readWorker?: boolean;
  /** Device requests parsed and read early on a worker thread; only with a databaseFile, off by default. */
  deviceReadWorker?: boolean;
}

export interface SatelliteAppExtras {
  satellite: Satellite;
  seed: SatelliteSeeder;
  clock: Clock;
  /** The root CA PEM a device should trust. */
  rootCertificatePem: string;
  close(): void;
}

/** An Express app (for supertest) with the satellite, its clock and seeding helpers attached. */
export type SatelliteApp = Express & SatelliteAppExtras;

export async function createSatelliteApp(options: SatelliteAppOptions = {}): Promise<SatelliteApp> {
  const clock = options.clock ?? systemClock;
  const timers = { ...defaultLicensingTimers, ...options.timers };
  const pkiMaterial = options.pkiMaterial
    ?? await generatePkiMaterial({ now: clock.now(), hostNames: ['localhost', '127.0.0.1'] });
  const satellite = await composeSatellite({
    databaseFile: options.databaseFile ?? ':memory:',
    pkiMaterial,
    clock,
    newId: options.newId ?? uuidGenerator,
    timers,
    logger: options.logger ?? pino({ level: 'silent' }),
    auth: { ...defaultAuthPolicy, ...options.auth },
    ...(options.deviceCrypto ? { deviceCrypto: options.deviceCrypto } : {}),
    readWorker: options.readWorker ?? false,
    deviceReadWorker: options.deviceReadWorker ?? false,
  });
  // Embedded suites fire requests as fast as they can, so the device and sign-in rate limits are off
  // unless asked for. No user exists either: embedders create them with the seeder.
  const app = createApp(satellite, { ...defaultHttpOptions, deviceRateLimitPerMinute: 0, authRateLimitPerMinute: 0, ...options.http });
  const extras: SatelliteAppExtras = {
    satellite,
    seed: new SatelliteSeeder(satellite),
    clock,
    rootCertificatePem: satellite.pki.rootCertificatePem,
    close: () => satellite.close(),
  };
  return Object.assign(app, extras);
}
