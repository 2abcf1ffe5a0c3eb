import type { Migration } from '../migrations/migration-list.js';
import { upstreamCoreSchema } from './migrations/0001-upstream-core.js';

/** The reference upstream's migrations: append-only like the satellite's, version = position. */
export const upstreamMigrations: readonly Migration[] = [upstreamCoreSchema];
