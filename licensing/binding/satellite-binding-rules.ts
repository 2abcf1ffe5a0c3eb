import { MS_PER_DAY } from '../shared/clock.js';
import { ConflictError, ValidationError } from '../shared/domain-error.js';
import type { SatelliteBinding, SatelliteRegistrationGrant, SyncMode, SyncState } from './satellite-binding.js';

/**
 * What importing a registration file does to an existing binding:
 * - 'new': no binding yet;
 * - 'renewal': the same satellite of the same upstream (new credential expiry or account mapping), sync
 *   progress is kept;
 * - 'rebind': another satellite id or another upstream, allowed only with force; sync progress starts over
 *   because sequences belong to the old pair.
 */
export type BindingChange = 'new' | 'renewal' | 'rebind';

/** Timers of DESIGN §3 on the satellite side; the upstream retires a satellite after 90 days (upstream rule). */
export const SYNC_WARNING_AFTER_MS = 30 * MS_PER_DAY;
export const SYNC_CRITICAL_AFTER_MS = 60 * MS_PER_DAY;

export function classifyRegistration(
  existing: SatelliteBinding | undefined, grant: SatelliteRegistrationGrant, options: { force: boolean; now: number },
): BindingChange {
  if (grant.credentialExpiresAt <= options.now) {
    throw new ValidationError(`the registration's credential expired at ${new Date(grant.credentialExpiresAt).toISOString()}; ask the upstream for a new registration file`, { field: 'credential_expires_at' });
  }
  if (existing === undefined) return 'new';
  const sameSatellite = existing.satelliteId === grant.satelliteId;
  const sameUpstream = existing.upstreamId === grant.upstreamId && existing.upstreamKeyFingerprint === grant.upstreamKeyFingerprint;
  if (sameSatellite && sameUpstream) {
    // An older file (issued before the one in force) would roll the mapping and expiry back: a replay, not a renewal.
    if (grant.issuedAt < existing.issuedAt && !options.force) {
      throw new ConflictError(`this registration file was issued at ${new Date(grant.issuedAt).toISOString()}, before the one in force (${new Date(existing.issuedAt).toISOString()}); use --force to import it anyway`, { reason: 'STALE_REGISTRATION' });
    }
    return 'renewal';
  }
  if (!options.force) {
    const reason = !sameSatellite
      ? `this satellite is registered as '${existing.satelliteName}' (${existing.satelliteId}); the file is for satellite ${grant.satelliteId}`
      : existing.upstreamId !== grant.upstreamId
        ? `this satellite is bound to upstream ${existing.upstreamId}; the file comes from upstream ${grant.upstreamId}`
        : `the file is signed by an upstream key (${grant.upstreamKeyFingerprint}) other than the pinned one (${existing.upstreamKeyFingerprint})`;
    throw new ConflictError(`${reason}; use --force to rebind (sync progress starts over)`, {
      reason: !sameSatellite ? 'OTHER_SATELLITE' : 'OTHER_UPSTREAM', boundSatelliteId: existing.satelliteId, fileSatelliteId: grant.satelliteId,
    });
  }
  return 'rebind';
}

/** An explicit mode wins; a renewal keeps the admin's choice; otherwise a file with an upstream URL means connected. */
export function chooseMode(
  requested: SyncMode | undefined, existing: SatelliteBinding | undefined, change: BindingChange, grant: SatelliteRegistrationGrant,
): SyncMode {
  const mode = requested ?? (change === 'renewal' && existing ? existing.mode : grant.upstreamUrl === null ? 'disconnected' : 'connected');
  requireReachable(mode, grant.upstreamUrl);
  return mode;
}

export function requireReachable(mode: SyncMode, upstreamUrl: string | null): void {
  if (mode === 'connected' && upstreamUrl === null) {
    throw new ValidationError('connected mode needs the upstream URL, and the registration file has none; use disconnected mode or ask the upstream for a file with its URL', { field: 'mode' });
  }
}

export type SyncAge = 'never' | 'ok' | 'warning' | 'critical';

export interface SyncStatus {
  binding: SatelliteBinding;
  state: SyncState;
  /** Whole days since the last successful sync; null when it never synced. */
  daysSinceLastSync: number | null;
  /** Whole days since the binding, for a satellite that never synced. */
  daysSinceBound: number;
  syncAge: SyncAge;
  credentialExpired: boolean;
  /** Whole days left (negative once expired). */
  credentialDaysLeft: number;
}

export function syncStatusOf(binding: SatelliteBinding, state: SyncState, now: number): SyncStatus {
  const sinceSync = state.lastSuccessAt === null ? null : now - state.lastSuccessAt;
  // A satellite that never synced is measured from its binding: the upstream's 90-day clock starts there too.
  const age = sinceSync ?? now - binding.boundAt;
  return {
    binding,
    state,
    daysSinceLastSync: sinceSync === null ? null : Math.floor(sinceSync / MS_PER_DAY),
    daysSinceBound: Math.floor((now - binding.boundAt) / MS_PER_DAY),
    syncAge: age >= SYNC_CRITICAL_AFTER_MS ? 'critical' : age >= SYNC_WARNING_AFTER_MS ? 'warning' : sinceSync === null ? 'never' : 'ok',
    credentialExpired: binding.credentialExpiresAt <= now,
    credentialDaysLeft: Math.floor((binding.credentialExpiresAt - now) / MS_PER_DAY),
  };
}
