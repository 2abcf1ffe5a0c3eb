import { MS_PER_DAY } from '../shared/clock.js';
import type { AccountMapping } from '../binding/satellite-binding.js';

/** A satellite as the upstream knows it (DESIGN §5.4). */
export interface RegisteredSatellite {
  id: string;
  name: string;
  accounts: AccountMapping[];
  registeredAt: number;
  /** When the newest registration file for it was issued. */
  issuedAt: number;
  credentialExpiresAt: number;
  /** The last bundle exchange; null until the first one. */
  lastSyncAt: number | null;
  retiredAt: number | null;
  /** The satellite's bundle signing key, pinned by the first request bundle the upstream accepts (bundle processing). */
  satellitePublicKeyPem: string | null;
  /** The last request sequence accepted from the satellite, and the last response sequence the upstream used. */
  requestSequence: number;
  responseSequence: number;
  /**
   * The request sequence through which this upstream holds the satellite's complete instance list (a full snapshot
   * then deltas, each against what was held); null when it holds none it can vouch for. Sent back in every
   * acknowledgement, so the satellite's next request is relative to it (upstream migration 0005).
   */
  instancesSequence: number | null;
}

/** DESIGN §3: the upstream retires a satellite after 90 days without sync. */
export const SATELLITE_RETIREMENT_MS = 90 * MS_PER_DAY;

/** A satellite that never synced is measured from its registration. */
export function lastSeenAt(satellite: Pick<RegisteredSatellite, 'lastSyncAt' | 'registeredAt'>): number {
  return satellite.lastSyncAt ?? satellite.registeredAt;
}

export function isDueForRetirement(
  satellite: Pick<RegisteredSatellite, 'lastSyncAt' | 'registeredAt' | 'retiredAt'>, now: number, retirementMs = SATELLITE_RETIREMENT_MS,
): boolean {
  return satellite.retiredAt === null && now - lastSeenAt(satellite) >= retirementMs;
}
