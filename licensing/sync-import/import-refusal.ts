import type { Repositories } from '../shared/unit-of-work.js';
import type { RefusedImportRecord } from './upstream-snapshot.js';

/** A refused bundle that is not what the upstream signed, not for us, or a replay: someone may be attacking the sync. */
export const SYNC_BUNDLE_TAMPERED = 'SYNC_BUNDLE_TAMPERED';
/** A refused bundle that is intact but cannot apply (expired, unmapped account, a bad record the upstream signed). */
export const SYNC_IMPORT_REFUSED = 'SYNC_IMPORT_REFUSED';

/**
 * Reasons that mean the file is not an intact, current response of the pinned upstream for this satellite. A
 * truncated download cannot be told from a cut bundle, so a damaged archive counts too (docs/sync-format.md).
 */
const TAMPER_REASONS: ReadonlySet<string> = new Set([
  'BAD_SIGNATURE', 'CHECKSUM_MISMATCH', 'SIZE_MISMATCH', 'RECORD_COUNT_MISMATCH', 'UNLISTED_ENTRY', 'MISSING_ENTRY', 'DUPLICATE_ENTRY',
  'UNSAFE_ENTRY_NAME', 'LINK_ENTRY', 'TOO_LARGE', 'CORRUPT_ARCHIVE', 'WRONG_SATELLITE', 'WRONG_UPSTREAM', 'STALE_SEQUENCE',
]);

export function isTamperReason(reason: string): boolean {
  return TAMPER_REASONS.has(reason);
}

/**
 * Records a refused import in its own transaction, after the refusal rolled everything else back: one history
 * row and one event, nothing else (DESIGN §5.3: on any failure nothing changes). A tampered bundle is a security
 * event of severity Major; any other refusal is Minor.
 */
export function recordImportRefusal(repos: Repositories, refusal: RefusedImportRecord): void {
  const security = isTamperReason(refusal.reason);
  repos.upstreamSync.insertRefusal(refusal);
  repos.events.append({
    occurredAt: refusal.importedAt, accountId: null, virtualAccountId: null,
    actorType: refusal.actorId === 'system' || refusal.actorId === 'scheduler' ? 'system' : 'user', actorId: refusal.actorId,
    type: security ? SYNC_BUNDLE_TAMPERED : SYNC_IMPORT_REFUSED,
    message: `${security ? 'Tampered or misdirected response bundle refused' : 'Response bundle refused'} (${refusal.reason}): ${refusal.message}`,
    details: {
      category: security ? 'security' : 'sync', severity: security ? 'Major' : 'Minor', reason: refusal.reason, fileSha256: refusal.fileSha256,
      bundleId: refusal.bundleId, sequence: refusal.sequence,
    },
  });
}
