import { coreSchema } from './0001-core-schema.js';
import { adminAuthSchema } from './0002-admin-auth.js';
import { licenseTransfersSchema } from './0003-license-transfers.js';
import { syncBindingSchema } from './0004-sync-binding.js';
import { upstreamLineSyncSchema } from './0005-upstream-line-sync.js';
import { licensingEngineSchema } from './0006-licensing-engine.js';
import { syncImportRefusalsSchema } from './0009-sync-import-refusals.js';
import { reservationsSchema } from './0011-reservations.js';
import { incrementalSyncSchema } from './0013-incremental-sync.js';
import { scaleIndexesSchema } from './0014-scale-indexes.js';
import { instanceSearchSchema } from './0015-instance-search.js';
import { instanceReplaySchema } from './0016-instance-replay.js';
import { instanceCertificateExpirySchema } from './0017-instance-certificate-expiry.js';
import { deviceConfirmationStampsSchema } from './0018-device-confirmation-stamps.js';
import { entitlementStampsSchema } from './0019-entitlement-stamps.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Append-only: never edit a shipped migration, add the next number instead. Versions ascend; numbers are allocated
 * to parallel branches, so a list may skip some until they merge (openDatabase applies by version).
 */
export const migrations: readonly Migration[] = [
  coreSchema, adminAuthSchema, licenseTransfersSchema, syncBindingSchema, upstreamLineSyncSchema, licensingEngineSchema,
  syncImportRefusalsSchema, reservationsSchema, incrementalSyncSchema, scaleIndexesSchema, instanceSearchSchema,
  instanceReplaySchema, instanceCertificateExpirySchema, deviceConfirmationStampsSchema, entitlementStampsSchema,
];
