/** The two sync modes of DESIGN §5.1; both exchange the same bundles. */
export type SyncMode = 'connected' | 'disconnected';
export const SYNC_MODES: readonly SyncMode[] = ['connected', 'disconnected'];

/** Which upstream accounts and virtual accounts a satellite serves; the registration file carries it. */
export interface AccountMapping {
  account: string;
  virtualAccounts: string[];
}

/** What a registration file says once its signature and schema have been checked (protocol/satellite-registration.ts). */
export interface SatelliteRegistrationGrant {
  satelliteId: string;
  satelliteName: string;
  upstreamId: string;
  /** Where connected mode posts its bundles; null for an upstream that is only reached by files. */
  upstreamUrl: string | null;
  upstreamPublicKeyPem: string;
  /** SHA-256 of the key's SPKI DER, lowercase hex (licensing/pki/key-fingerprint.ts). */
  upstreamKeyFingerprint: string;
  accounts: AccountMapping[];
  credentialExpiresAt: number;
  issuedAt: number;
}

/** The satellite's side of the registration (DESIGN §3): one row, the pinned upstream key included. */
export interface SatelliteBinding extends SatelliteRegistrationGrant {
  mode: SyncMode;
  boundAt: number;
  updatedAt: number;
}

/** A local virtual account that the upstream feeds, with the upstream's names for it (local names may change). */
export interface BoundVirtualAccount {
  virtualAccountId: string;
  account: string;
  virtualAccount: string;
}

/**
 * Progress of the sync engine. Sequences follow docs/sync-format.md: requestSequence is the last one this
 * satellite used, acknowledgedSequence the last the upstream confirmed, upstreamSequence the last response
 * accepted (anything not above it is a replay) and lastUpstreamBundleId lets the same response import twice
 * as a no-op.
 */
export interface SyncState {
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  nextRunAt: number | null;
  consecutiveFailures: number;
  requestSequence: number;
  acknowledgedSequence: number;
  upstreamSequence: number;
  lastUpstreamBundleId: string | null;
  /**
   * What the upstream last said it holds of this satellite's instances: null = it never said (an older upstream;
   * acknowledgedSequence stands in), 0 = none (the next request is a full snapshot), N = complete through request N
   * (the next request carries the changes since N's snapshot). Lowered too when the upstream says so (it lost state).
   */
  instancesSequence: number | null;
}

export const initialSyncState: SyncState = {
  lastAttemptAt: null, lastSuccessAt: null, lastErrorAt: null, lastError: null, nextRunAt: null, consecutiveFailures: 0,
  requestSequence: 0, acknowledgedSequence: 0, upstreamSequence: 0, lastUpstreamBundleId: null, instancesSequence: null,
};
