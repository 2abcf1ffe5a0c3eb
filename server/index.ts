/** The package's public entry: embed a whole satellite in-process, or build one from parts. */
export { createSatelliteApp, type SatelliteApp, type SatelliteAppOptions } from './create-satellite-app.js';
export { createApp } from './create-app.js';
export { composeSatellite, type Satellite } from './composition-root.js';
export { SatelliteSeeder, DEMO_SEED, type SeedSpec, type SeedResult, type SeededToken } from './seed/satellite-seeder.js';
export { ManualClock, systemClock, type Clock } from '../licensing/shared/clock.js';
export { defaultLicensingTimers, type LicensingTimers } from '../licensing/shared/licensing-timers.js';
export { DEVICE_TRANSPORT_PATHS } from '../protocol/transport-paths.js';
