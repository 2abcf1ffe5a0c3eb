import { z } from 'zod';

/**
 * The sync bundle manifest (DESIGN §5.1). One format for both directions and both modes: connected sync
 * POSTs the very bundle that disconnected sync writes to a file. See docs/sync-format.md.
 */
export const SYNC_FORMAT = 'satellite-sync';
/**
 * Version 2 adds parts: one kind of record may travel in several bounded entries (`<kind>-0001.ndjson`, ...), so no
 * single-entry cap limits the inventory. Readers of version 2 read version 1 bundles too (they hold no parts); a
 * version 1 reader refuses a version 2 bundle as BAD_MANIFEST naming `format_version`.
 */
export const SYNC_FORMAT_VERSION = 2;
/** The versions this reader understands; anything else is refused as BAD_MANIFEST naming the field. */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];

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
  /** Present when the kind travels in parts (format 2): 1, 2, ... in manifest order, named partFileName(kind, part). */
  part: z.number().int().positive().max(9999).optional(),
});

/** Records per kind, the parts of a kind added up: what a summary (CLI, bench) shows. */
export function recordsByKind(entries: ReadonlyArray<{ kind: string; records: number }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.kind] = (counts[entry.kind] ?? 0) + entry.records;
  return counts;
}

/** The name of part `part` of a kind written in parts: `product-instances-0001.ndjson`. */
export const partFileName = (kind: string, part: number): string => `${kind}-${String(part).padStart(4, '0')}.ndjson`;

const headerShape = {
  format: z.literal(SYNC_FORMAT),
  format_version: z.number().int().refine((v) => READABLE_FORMAT_VERSIONS.includes(v),
    { message: `format_version must be one of ${READABLE_FORMAT_VERSIONS.join(', ')} (a newer sender? update this satellite or upstream)` }),
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
  .refine(replyOnlyInResponses, replyIssue)
  .superRefine((m, ctx) => {
    const problem = describePartProblem(m.format_version, m.entries);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['entries'] });
  });

/**
 * Why the parts of a manifest are not well formed, or undefined. A kind in parts lists every part, numbered 1, 2, ...
 * in manifest order, each named partFileName(kind, part), and no unnumbered entry of that kind: a missing, extra,
 * renamed or reordered part is refused before any data is read (the signature covers this list).
 */
export function describePartProblem(
  formatVersion: number, entries: ReadonlyArray<{ name: string; kind: string; part?: number | undefined }>,
): string | undefined {
  const next = new Map<string, number>();
  const whole = new Set<string>();
  for (const entry of entries) {
    if (entry.part === undefined) {
      if (next.has(entry.kind)) return `kind ${entry.kind} is listed both in parts and as entry ${JSON.stringify(entry.name)}`;
      whole.add(entry.kind);
      continue;
    }
    if (formatVersion < 2) return `entry ${JSON.stringify(entry.name)} is a part, but format_version ${formatVersion} has no parts`;
    if (whole.has(entry.kind)) return `kind ${entry.kind} is listed both as a whole entry and in parts`;
    const expected = (next.get(entry.kind) ?? 0) + 1;
    if (entry.part !== expected) return `part ${entry.part} of ${entry.kind} is listed where part ${expected} belongs (parts are numbered 1, 2, ... in order)`;
    if (entry.name !== partFileName(entry.kind, entry.part)) {
      return `part ${entry.part} of ${entry.kind} is named ${JSON.stringify(entry.name)}, not ${JSON.stringify(partFileName(entry.kind, entry.part))}`;
    }
    next.set(entry.kind, expected);
  }
  return undefined;
}

export type SyncManifest = z.infer<typeof syncManifestSchema>;
export type SyncManifestHeader = z.infer<typeof syncManifestHeaderSchema>;
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
