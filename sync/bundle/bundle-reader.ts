import { createHash } from 'node:crypto';
import { formatZodIssues, isStrictBase64 } from '../../protocol/signed-envelope.js';
import {
  MANIFEST_ENTRY, SIGNATURE_ENTRY, syncManifestSchema, type ManifestEntry, type SyncManifest,
} from '../../protocol/sync-manifest.js';
import { MAX_SIGNATURE_BYTES, resolveBundleCaps, type BundleCaps } from './bundle-caps.js';
import { BundleRejectedError } from './bundle-rejected-error.js';
import { NdjsonRecordParser } from './ndjson-record-parser.js';
import { quote, readZipDirectory, type ZipDirectory } from './zip-directory-reader.js';
import { readZipEntry, readZipEntryBytes } from './zip-entry-reader.js';

export interface OpenBundleOptions {
  /** Checks the sender's signature over the exact manifest bytes, e.g. against the pinned upstream key. */
  verifySignature: (manifestBytes: Buffer, signatureB64: string) => boolean;
  caps?: Partial<BundleCaps>;
}

export interface OpenedBundle {
  /** Signed by the expected key and valid against the schema. */
  readonly manifest: SyncManifest;
  /** The exact signed bytes, e.g. for an import history. */
  readonly manifestBytes: Buffer;
  /**
   * The records of one listed entry, streamed. Every record but the last may be yielded before the entry's
   * size, sha256 and record count are known; the last record is yielded only after all three have been
   * checked, and the iteration of an empty entry ends only after they have. A consumer that acts only once
   * the iteration completes therefore never acts on a damaged entry.
   */
  readEntry(name: string): AsyncIterable<unknown>;
  /**
   * The records of every entry of one kind, in manifest order: the parts of a kind written in parts one after the
   * other (each checked as readEntry checks it), or its one entry. Empty when the kind is absent.
   */
  readKind(kind: string): AsyncIterable<unknown>;
  /** Whether the manifest lists an entry (or parts) of this kind. */
  hasKind(kind: string): boolean;
  /** Streams every data entry once, checking size, sha256, every record and the record counts. */
  verifyAll(): Promise<void>;
  /**
   * Streams every data entry once, checking size, sha256, line lengths and the record counts, without parsing the
   * records: for a consumer that parses (and validates) every record when it reads it anyway, and must only know
   * the bytes are the signed ones before it stores anything (the upstream's request processing).
   */
  verifyIntegrity(): Promise<void>;
}

/**
 * Opens a sync bundle and runs every check that can run before the data is read (docs/sync-format.md,
 * "Reader checks"): the archive and its central directory, then the signature over manifest.json (before
 * any data entry is decompressed), then the manifest, then the entry list. Each refusal is a
 * BundleRejectedError with a stable `reason`. Kind, addressing, expiry and sequence are the importer's
 * (see checkBundleAddress).
 */
export async function openBundle(file: string, options: OpenBundleOptions): Promise<OpenedBundle> {
  const caps = resolveBundleCaps(options.caps);
  const directory = await readZipDirectory(file, caps);
  const manifestBytes = await readNamedEntry(file, directory, MANIFEST_ENTRY);
  const signature = await readNamedEntry(file, directory, SIGNATURE_ENTRY);
  verifyManifestSignature(manifestBytes, signature, options.verifySignature);
  const manifest = parseManifest(manifestBytes);
  matchEntries(manifest, directory);

  const readEntry = (name: string): AsyncIterable<unknown> => streamRecords(file, directory, manifest, name, caps.maxRecordBytes, true);
  const drain = async (parse: boolean): Promise<void> => {
    for (const entry of manifest.entries) {
      const records = streamRecords(file, directory, manifest, entry.name, caps.maxRecordBytes, parse)[Symbol.asyncIterator]();
      while (!(await records.next()).done) {
        // Draining is the check: the stream throws on the first problem.
      }
    }
  };
  const ofKind = (kind: string): ManifestEntry[] => manifest.entries.filter((entry) => entry.kind === kind);
  return {
    manifest,
    manifestBytes,
    readEntry,
    readKind: async function* (kind: string): AsyncGenerator<unknown> {
      for (const entry of ofKind(kind)) yield* readEntry(entry.name);
    },
    hasKind: (kind: string) => ofKind(kind).length > 0,
    verifyAll: () => drain(true),
    verifyIntegrity: () => drain(false),
  };
}

async function readNamedEntry(file: string, directory: ZipDirectory, name: string): Promise<Buffer> {
  const entry = directory.entries.get(name);
  if (entry === undefined) throw new BundleRejectedError('MISSING_ENTRY', `the bundle has no ${name}`);
  // The central directory sizes were capped already; the read itself stops there too, lie or not.
  return readZipEntryBytes(file, directory, entry, entry.uncompressedSize);
}

function verifyManifestSignature(manifestBytes: Buffer, signatureBytes: Buffer, verify: OpenBundleOptions['verifySignature']): void {
  // A trailing newline is tolerated because people re-create manifest.sig with shell tools.
  const signature = signatureBytes.toString('latin1').replace(/\r?\n$/, '');
  if (signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES || !isStrictBase64(signature)) {
    throw new BundleRejectedError('BAD_SIGNATURE', 'manifest.sig is not a base64 signature');
  }
  let valid: boolean;
  try {
    valid = verify(manifestBytes, signature);
  } catch (error) {
    throw new BundleRejectedError('BAD_SIGNATURE',
      `manifest.sig cannot be checked against manifest.json (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!valid) {
    throw new BundleRejectedError('BAD_SIGNATURE',
      'manifest.sig does not verify over manifest.json with the expected sender key (tampered with, or signed by another key)');
  }
}

function parseManifest(bytes: Buffer): SyncManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new BundleRejectedError('BAD_MANIFEST', `manifest.json is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = syncManifestSchema.safeParse(json);
  if (!parsed.success) throw new BundleRejectedError('BAD_MANIFEST', `manifest.json is invalid: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

/** Step (e): the archive holds exactly the listed entries, each with the listed size. */
function matchEntries(manifest: SyncManifest, directory: ZipDirectory): void {
  const listed = new Map(manifest.entries.map((entry) => [entry.name, entry]));
  for (const name of directory.entries.keys()) {
    if (name !== MANIFEST_ENTRY && name !== SIGNATURE_ENTRY && !listed.has(name)) {
      throw new BundleRejectedError('UNLISTED_ENTRY', `entry ${quote(name)} is in the archive but not in manifest.json`);
    }
  }
  for (const entry of manifest.entries) {
    const zipEntry = directory.entries.get(entry.name);
    if (zipEntry === undefined) {
      throw new BundleRejectedError('MISSING_ENTRY', `entry ${quote(entry.name)} is listed in manifest.json but not in the archive`);
    }
    if (zipEntry.uncompressedSize !== entry.size) {
      throw new BundleRejectedError('SIZE_MISMATCH',
        `entry ${quote(entry.name)} is listed with ${entry.size} bytes but the archive declares ${zipEntry.uncompressedSize}`);
    }
  }
}

async function* streamRecords(
  file: string, directory: ZipDirectory, manifest: SyncManifest, name: string, maxRecordBytes: number, parse: boolean,
): AsyncGenerator<unknown> {
  const listed = manifest.entries.find((entry) => entry.name === name);
  const zipEntry = directory.entries.get(name);
  if (listed === undefined || zipEntry === undefined) {
    throw new BundleRejectedError('MISSING_ENTRY', `the bundle has no data entry ${quote(name)}`);
  }
  const hash = createHash('sha256');
  const parser = new NdjsonRecordParser(name, maxRecordBytes);
  let size = 0;
  let held: { record: unknown } | undefined;
  // A record problem may be the symptom of damaged bytes; the rest is then only hashed, so that the
  // refusal names the checksum (the cause) rather than the record (the symptom).
  let recordFailure: unknown;
  for await (const chunk of readZipEntry(file, directory, zipEntry, listed.size)) {
    hash.update(chunk);
    size += chunk.length;
    if (recordFailure !== undefined) continue;
    try {
      if (!parse) {
        parser.pushLines(chunk);
        if (parser.recordCount > listed.records) throw countMismatch(listed, `more than ${listed.records}`);
        continue;
      }
      for (const record of parser.push(chunk)) {
        if (parser.recordCount > listed.records) throw countMismatch(listed, `more than ${listed.records}`);
        if (held !== undefined) yield held.record;
        held = { record };
      }
    } catch (error) {
      if (!(error instanceof BundleRejectedError)) throw error;
      recordFailure = error;
    }
  }
  if (size !== listed.size) {
    throw new BundleRejectedError('SIZE_MISMATCH', `entry ${quote(name)} holds ${size} bytes, not the ${listed.size} listed in manifest.json`);
  }
  const digest = hash.digest('hex');
  if (digest !== listed.sha256) {
    throw new BundleRejectedError('CHECKSUM_MISMATCH', `entry ${quote(name)} has sha256 ${digest}, not the ${listed.sha256} listed in manifest.json`);
  }
  if (recordFailure !== undefined) throw recordFailure;
  parser.end();
  if (parser.recordCount !== listed.records) throw countMismatch(listed, String(parser.recordCount));
  if (held !== undefined) yield held.record;
}

function countMismatch(listed: ManifestEntry, actual: string): BundleRejectedError {
  return new BundleRejectedError('RECORD_COUNT_MISMATCH',
    `entry ${quote(listed.name)} holds ${actual} records, not the ${listed.records} listed in manifest.json`);
}
