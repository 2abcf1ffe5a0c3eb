import { z } from 'zod';

/**
 * The sync bundle manifest (DESIGN §5.1). One format for both directions and both modes: connected sync
 * POSTs the very bundle that disconnected sync writes to a file. See docs/sync-format.md.
 */
export const SYNC_FORMAT = 'satellite-sync';
export const SYNC_FORMAT_VERSION = 1;

export const MANIFEST_ENTRY = 'manifest.json';
export const SIGNATURE_ENTRY = 'manifest.sig';
/** Data entries per bundle; the bundle reader's default entry cap matches it. */
export const MAX_MANIFEST_ENTRIES = 64;

/** The rule every zip entry name follows, manifest.json and manifest.sig included. */
export const ENTRY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Entry names are plain file names: no directories, no traversal, no absolute paths (§5.3). */
export const entryNameSchema = z.string()
  .regex(ENTRY_NAME_PATTERN, 'entry names are 1-100 characters of [A-Za-z0-9._-] without a leading dot')
  .refine((name) => !name.includes('..'), 'entry names may not contain ..');

export const manifestEntrySchema = z.object({
  name: entryNameSchema
    .refine((name) => name !== MANIFEST_ENTRY && name !== SIGNATURE_ENTRY, 'manifest.json and manifest.sig are not data entries'),
  /** What the NDJSON lines hold, e.g. product-instances, usage, license-lines. */
  kind: z.string().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lowercase hex digits'),
  /** Bytes of the uncompressed entry. */
  size: z.number().int().nonnegative(),
  /** NDJSON lines in the entry. */
  records: z.number().int().nonnegative(),
});

const headerShape = {
  format: z.literal(SYNC_FORMAT),
  format_version: z.literal(SYNC_FORMAT_VERSION),
  kind: z.enum(['request', 'response']),
  bundle_id: z.uuid(),
  satellite_id: z.uuid(),
  upstream_id: z.string().min(1).max(128),
  /** Monotonic per sender; a receiver refuses anything not above the last it accepted. */
  sequence: z.number().int().positive(),
  /** The request's bundle_id and sequence, in responses only. */
  in_reply_to: z.object({ bundle_id: z.uuid(), sequence: z.number().int().positive() }).nullable(),
  created_at: z.number().int().nonnegative(),
  expires_at: z.number().int().nonnegative(),
};

interface HeaderRuleInput {
  kind: 'request' | 'response';
  in_reply_to: object | null;
  created_at: number;
  expires_at: number;
}
const expiresAfterCreation = (m: HeaderRuleInput): boolean => m.expires_at > m.created_at;
const replyOnlyInResponses = (m: HeaderRuleInput): boolean => (m.kind === 'response') === (m.in_reply_to !== null);
const expiryIssue = { message: 'expires_at must be after created_at', path: ['expires_at'] };
const replyIssue = { message: 'in_reply_to is required in responses and only there', path: ['in_reply_to'] };

/** The manifest without its entries: what a bundle writer is given before the data is hashed. */
export const syncManifestHeaderSchema = z.object(headerShape)
  .refine(expiresAfterCreation, expiryIssue)
  .refine(replyOnlyInResponses, replyIssue);

export const syncManifestSchema = z.object({
  ...headerShape,
  entries: z.array(manifestEntrySchema).max(MAX_MANIFEST_ENTRIES)
    // Case-insensitive, so that no two entries could collide on a case-insensitive file system.
    .refine((entries) => new Set(entries.map((e) => e.name.toLowerCase())).size === entries.length, 'duplicate entry names'),
}).refine(expiresAfterCreation, expiryIssue)
  .refine(replyOnlyInResponses, replyIssue);

export type SyncManifest = z.infer<typeof syncManifestSchema>;
export type SyncManifestHeader = z.infer<typeof syncManifestHeaderSchema>;
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
