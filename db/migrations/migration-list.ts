import { coreSchema } from './0001-core-schema.js';
import { adminAuthSchema } from './0002-admin-auth.js';
import { licenseTransfersSchema } from './0003-license-transfers.js';
import { syncBindingSchema } from './0004-sync-binding.js';
import { upstreamLineSyncSchema } from './0005-upstream-line-sync.js';
import { licensingEngineSchema } from './0006-licensing-engine.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append-only: never edit a shipped migration, add the next number instead. Version = position. */
export const migrations: readonly Migration[] = [coreSchema, adminAuthSchema, licenseTransfersSchema, syncBindingSchema, upstreamLineSyncSchema,
  licensingEngineSchema];
