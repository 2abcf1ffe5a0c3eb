import type { Migration } from '../migrations/migration-list.js';
import { upstreamCoreSchema } from './migrations/0001-upstream-core.js';
import { upstreamSatelliteReportsSchema } from './migrations/0002-satellite-reports.js';
import { upstreamSatelliteVirtualAccountsEventsSchema } from './migrations/0003-satellite-virtual-accounts-events.js';
import { upstreamSatelliteReservationsSchema } from './migrations/0004-satellite-reservations.js';
import { upstreamSatelliteInstancesSequenceSchema } from './migrations/0005-satellite-instances-sequence.js';

/** The reference upstream's migrations: append-only like the satellite's, in ascending versions (gaps allowed). */
export const upstreamMigrations: readonly Migration[] = [
  upstreamCoreSchema, upstreamSatelliteReportsSchema, upstreamSatelliteVirtualAccountsEventsSchema, upstreamSatelliteReservationsSchema,
  upstreamSatelliteInstancesSequenceSchema,
];
