import { DomainError } from '../../licensing/shared/domain-error.js';

/**
 * Why a bundle was refused. The codes are stable API (the import history, the admin UI and scripts match
 * on them); docs/sync-format.md lists when each one is raised.
 */
export const BUNDLE_REJECTION_REASONS = [
  'TOO_LARGE',
  'CORRUPT_ARCHIVE',
  'UNSAFE_ENTRY_NAME',
  'DUPLICATE_ENTRY',
  'LINK_ENTRY',
  'MISSING_ENTRY',
  'BAD_SIGNATURE',
  'BAD_MANIFEST',
  'UNLISTED_ENTRY',
  'SIZE_MISMATCH',
  'CHECKSUM_MISMATCH',
  'BAD_RECORD',
  'RECORD_COUNT_MISMATCH',
] as const;

export type BundleRejectionReason = (typeof BUNDLE_REJECTION_REASONS)[number];

/**
 * A bundle that must not be imported. It is a VALIDATION_FAILED domain error, so an upload through the
 * admin API becomes a 400 naming the cause, with `details.reason` carrying the stable code.
 */
export class BundleRejectedError extends DomainError {
  readonly reason: BundleRejectionReason;

  constructor(reason: BundleRejectionReason, message: string) {
    super('VALIDATION_FAILED', message, { reason });
    this.name = 'BundleRejectedError';
    this.reason = reason;
  }
}
