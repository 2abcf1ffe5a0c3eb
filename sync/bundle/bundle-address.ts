import type { SyncManifest } from '../../protocol/sync-manifest.js';

export type BundleAddressReason = 'WRONG_KIND' | 'WRONG_SATELLITE' | 'WRONG_UPSTREAM' | 'EXPIRED' | 'STALE_SEQUENCE' | 'ALREADY_IMPORTED';

/** What the importer expects of a bundle it is about to apply. */
export interface ExpectedBundleAddress {
  kind: SyncManifest['kind'];
  satelliteId: string;
  upstreamId: string;
  /** Epoch milliseconds, from the injected clock. */
  now: number;
  /** The sender's last accepted sequence; null before the first import. */
  lastAcceptedSequence: number | null;
  /** The bundle_id of the last bundle imported from this sender; null before the first import. */
  lastBundleId: string | null;
}

export type BundleAddressCheck =
  | { ok: true }
  | { ok: false; reason: BundleAddressReason; message: string };

type AddressedManifest = Pick<SyncManifest, 'kind' | 'bundle_id' | 'satellite_id' | 'upstream_id' | 'sequence' | 'expires_at'>;

/**
 * The import rules that follow the signature and checksum checks (DESIGN §5.3), in their order: kind,
 * satellite id, upstream id, expiry, then the sequence. The very bundle imported last is reported as
 * ALREADY_IMPORTED, which the importer treats as a no-op that says so; any other sequence not above the
 * last accepted one is a replay. Pure: the caller supplies the clock reading and the import history.
 */
export function checkBundleAddress(manifest: AddressedManifest, expected: ExpectedBundleAddress): BundleAddressCheck {
  if (manifest.kind !== expected.kind) {
    return refuse('WRONG_KIND', `the bundle is a ${manifest.kind}, a ${expected.kind} was expected`);
  }
  // UUIDs are case-insensitive, and hand-edited configuration is not always lowercase.
  if (manifest.satellite_id.toLowerCase() !== expected.satelliteId.toLowerCase()) {
    return refuse('WRONG_SATELLITE', `the bundle is for satellite ${manifest.satellite_id}, this is satellite ${expected.satelliteId}`);
  }
  if (manifest.upstream_id !== expected.upstreamId) {
    return refuse('WRONG_UPSTREAM', `the bundle is for upstream ${manifest.upstream_id}, this satellite is bound to ${expected.upstreamId}`);
  }
  if (expected.now >= manifest.expires_at) {
    return refuse('EXPIRED', `the bundle expired at ${new Date(manifest.expires_at).toISOString()}`);
  }
  if (expected.lastBundleId !== null && manifest.bundle_id.toLowerCase() === expected.lastBundleId.toLowerCase()) {
    return refuse('ALREADY_IMPORTED', `bundle ${manifest.bundle_id} (sequence ${manifest.sequence}) was already imported; nothing to do`);
  }
  if (expected.lastAcceptedSequence !== null && manifest.sequence <= expected.lastAcceptedSequence) {
    return refuse('STALE_SEQUENCE',
      `the bundle has sequence ${manifest.sequence}, not above the last accepted ${expected.lastAcceptedSequence} (replay or out of order)`);
  }
  return { ok: true };
}

function refuse(reason: BundleAddressReason, message: string): BundleAddressCheck {
  return { ok: false, reason, message };
}
