import { z } from 'zod';

/**
 * The sync bundle manifest (DESIGN §5.1). One format for both directions and both modes: connected sync
 * POSTs the very bundle that disconnected sync writes to a file. See docs/sync-format.md.
 */
export const SYNC_FORMAT = 'satellite-sync';
export const SYNC_FORMAT_VERSION = 1;

/** Entry names are plain file names: no directories, no traversal, no absolute paths (§5.3). */
export const entryNameSchema = z.string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'entry names are 1-100 characters of [A-Za-z0-9._-] without a leading dot')
  .refine((name) => !name.includes('..'), 'entry names may not contain ..');

export const manifestEntrySchema = z.object({
  name: entryNameSchema,
  /** What the NDJSON lines hold, e.g. product-instances, usage, license-lines. */
  kind: z.string().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
});

export const syncManifestSchema = z.object({
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
  entries: z.array(manifestEntrySchema).max(64)
    .refine((entries) => new Set(entries.map((e) => e.name)).size === entries.length, 'duplicate entry names'),
}).refine((m) => m.expires_at > m.created_at, { message: 'expires_at must be after created_at', path: ['expires_at'] })
  .refine((m) => (m.kind === 'response') === (m.in_reply_to !== null), { message: 'in_reply_to is required in responses and only there', path: ['in_reply_to'] });

export type SyncManifest = z.infer<typeof syncManifestSchema>;
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const MANIFEST_ENTRY = 'manifest.json';
export const SIGNATURE_ENTRY = 'manifest.sig';
