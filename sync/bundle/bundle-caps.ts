import { MAX_MANIFEST_ENTRIES } from '../../protocol/sync-manifest.js';

/** Size limits a bundle must stay within before and while it is read (DESIGN §5.3). All sizes in bytes. */
export interface BundleCaps {
  /** The archive file itself. */
  maxCompressedBytes: number;
  /** One data entry, uncompressed. */
  maxEntryBytes: number;
  /** All entries together, uncompressed. */
  maxTotalBytes: number;
  /** Data entries; manifest.json and manifest.sig are not counted. */
  maxEntries: number;
  /** Uncompressed : compressed, for entries above RATIO_CHECK_FLOOR_BYTES. */
  maxCompressionRatio: number;
  /** manifest.json, uncompressed. */
  maxManifestBytes: number;
  /** One NDJSON line, without its newline. */
  maxRecordBytes: number;
}

const MiB = 1024 * 1024;

// Sized for 1,000,000 product instances and well beyond (docs/sync-format.md, "Caps"): an instance record is about
// 630 bytes and deflates about 18:1, so 1M instances are ~630 MB in ten 64 MiB parts and ~35 MB of archive. The total
// and the archive caps still bound what a bundle may cost; parts keep each entry bounded whatever the inventory.
export const DEFAULT_BUNDLE_CAPS: Readonly<BundleCaps> = Object.freeze({
  maxCompressedBytes: 256 * MiB,
  maxEntryBytes: 256 * MiB,
  maxTotalBytes: 4096 * MiB,
  maxEntries: MAX_MANIFEST_ENTRIES,
  // Records with unique ids deflate below 40:1 and 100,000 identical lines reach about 300:1, while zeros
  // approach deflate's 1032:1 limit: 500 refuses the bombs without refusing a dull but honest bundle.
  maxCompressionRatio: 500,
  maxManifestBytes: 1 * MiB,
  maxRecordBytes: 1 * MiB,
});

/**
 * The writer starts a new part of a kind written in parts before this many uncompressed bytes (never above the
 * entry cap): small enough that a part is cheap to re-read, large enough that 1M instances fit in ten parts.
 */
export const DEFAULT_PART_BYTES = 64 * MiB;

/**
 * A response bundle (license lines, catalog) stays small whatever the fleet; the admin upload and the connected
 * client keep their 64 MiB limit, while requests (which carry the instances) may use the full archive cap.
 */
export const MAX_RESPONSE_BUNDLE_BYTES = 64 * MiB;

/** A base64 DER signature is about 100 bytes for P-256 and under 700 for RSA-4096. */
export const MAX_SIGNATURE_BYTES = 4096;

/**
 * Small entries cannot hurt however well they compress, and a few kilobytes of repetitive JSON can
 * legitimately beat 200:1, so the ratio is only judged above this size.
 */
export const RATIO_CHECK_FLOOR_BYTES = 64 * 1024;

export function resolveBundleCaps(caps: Partial<BundleCaps> = {}): BundleCaps {
  const resolved: BundleCaps = { ...DEFAULT_BUNDLE_CAPS, ...caps };
  for (const [name, value] of Object.entries(resolved)) {
    // A NaN or negative cap would silently disable a check, so refuse it outright.
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`bundle cap ${name} must be a positive integer`);
  }
  return resolved;
}
