import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import { formatZodIssues, isStrictBase64 } from '../../protocol/signed-envelope.js';
import {
  MANIFEST_ENTRY, MAX_MANIFEST_ENTRIES, SIGNATURE_ENTRY, manifestEntrySchema, syncManifestHeaderSchema, syncManifestSchema,
  type ManifestEntry, type SyncManifest, type SyncManifestHeader,
} from '../../protocol/sync-manifest.js';
import { DEFAULT_BUNDLE_CAPS } from './bundle-caps.js';

export interface BundleEntrySource {
  name: string;
  /** What the records are, e.g. product-instances; copied to the manifest. */
  kind: string;
  /** JSON objects, pulled one at a time: an entry is never held in memory whole. */
  records: Iterable<unknown> | AsyncIterable<unknown>;
}

export interface BundleContent {
  /** The manifest minus its entries, which the writer fills in. */
  header: SyncManifestHeader;
  entries: readonly BundleEntrySource[];
  /** Returns the base64 DER signature over the exact manifest bytes, by the sender's key. */
  sign: (manifestBytes: Buffer) => string;
  /** How data entries are packed; manifest.json and manifest.sig are always stored. Default deflate. */
  compression?: 'deflate' | 'store';
}

/** Lines are batched into chunks of about this size: one stream write per record would dominate. */
const BATCH_BYTES = 64 * 1024;

/**
 * Writes a signed bundle to `outFile` via `<outFile>.tmp`, synced and then renamed, so that a crash or a
 * failure never leaves a half bundle under the final name. Returns the manifest that was signed.
 */
export async function writeBundle(content: BundleContent & { outFile: string }): Promise<SyncManifest> {
  const temporary = `${content.outFile}.tmp`;
  checkContent(content);
  const out = createWriteStream(temporary);
  try {
    const manifest = await writeBundleToStream(content, out);
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, content.outFile);
    return manifest;
  } catch (error) {
    // The stream may still be opening the file; removing it before it closes would let it reappear.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Streams a signed bundle into `out` (a file, an HTTP response) and ends it. Data entries go first, each
 * hashed, sized and counted as it is compressed; manifest.json and manifest.sig follow once those numbers
 * are known. On failure `out` is destroyed, so a receiver sees an aborted transfer, not a short zip.
 */
export async function writeBundleToStream(content: BundleContent, out: Writable): Promise<SyncManifest> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const sources: Readable[] = [];
  try {
    checkContent(content);
    const failed = new Promise<never>((_resolve, reject) => {
      archive.on('error', reject);
      archive.on('warning', reject);
      out.on('error', reject);
    });
    failed.catch(() => undefined);
    archive.pipe(out);

    const date = new Date(content.header.created_at);
    const tallies = content.entries.map((entry) => {
      const tally: EntryTally = { hash: createHash('sha256'), size: 0, records: 0 };
      const source = Readable.from(encodeNdjson(entry, tally), { objectMode: false });
      sources.push(source);
      archive.append(source, { name: entry.name, date, mode: 0o644, store: content.compression === 'store' });
      return finished(source).then(() => tally);
    });
    const counted = await Promise.race([Promise.all(tallies), failed]);

    const manifest = buildManifest(content, counted);
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    const signature = content.sign(manifestBytes);
    if (!isStrictBase64(signature)) throw new Error('sign() must return the signature as base64');
    archive.append(manifestBytes, { name: MANIFEST_ENTRY, date, mode: 0o644, store: true });
    archive.append(Buffer.from(signature, 'latin1'), { name: SIGNATURE_ENTRY, date, mode: 0o644, store: true });
    await Promise.race([archive.finalize(), failed]);
    await Promise.race([finished(out), failed]);
    return manifest;
  } catch (error) {
    archive.abort();
    for (const source of sources) source.destroy();
    out.destroy();
    throw error;
  }
}

interface EntryTally {
  hash: Hash;
  size: number;
  records: number;
}

function checkContent(content: BundleContent): void {
  const header = syncManifestHeaderSchema.safeParse(content.header);
  if (!header.success) throw new Error(`bundle header is invalid: ${formatZodIssues(header.error, ['header'])}`);
  if (content.entries.length > MAX_MANIFEST_ENTRIES) throw new Error(`a bundle holds at most ${MAX_MANIFEST_ENTRIES} entries`);
  const names = new Set<string>();
  for (const entry of content.entries) {
    // Checked before any byte is written; the digest fields are placeholders.
    const shape = manifestEntrySchema.safeParse({ name: entry.name, kind: entry.kind, sha256: '0'.repeat(64), size: 0, records: 0 });
    if (!shape.success) throw new Error(`bundle entry ${JSON.stringify(entry.name)} is invalid: ${formatZodIssues(shape.error)}`);
    if (names.has(entry.name.toLowerCase())) throw new Error(`bundle entry ${JSON.stringify(entry.name)} appears twice`);
    names.add(entry.name.toLowerCase());
  }
}

function buildManifest(content: BundleContent, tallies: readonly EntryTally[]): SyncManifest {
  const entries = content.entries.map((entry, index): ManifestEntry => {
    const tally = tallies[index];
    if (tally === undefined) throw new Error(`no tally for bundle entry ${entry.name}`);
    return { name: entry.name, kind: entry.kind, sha256: tally.hash.digest('hex'), size: tally.size, records: tally.records };
  });
  const parsed = syncManifestSchema.safeParse({ ...content.header, entries });
  if (!parsed.success) throw new Error(`bundle manifest is invalid: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

/** NDJSON bytes of one entry, produced as the archive pulls them, counted and hashed on the way out. */
async function* encodeNdjson(entry: BundleEntrySource, tally: EntryTally): AsyncGenerator<Buffer> {
  let batch = '';
  const flush = (): Buffer => {
    const chunk = Buffer.from(batch, 'utf8');
    batch = '';
    tally.hash.update(chunk);
    tally.size += chunk.length;
    return chunk;
  };
  for await (const record of entry.records) {
    batch += serialiseRecord(entry.name, tally.records + 1, record);
    tally.records += 1;
    if (batch.length >= BATCH_BYTES) yield flush();
  }
  if (batch.length > 0) yield flush();
}

function serialiseRecord(entryName: string, recordNumber: number, record: unknown): string {
  const where = `record ${recordNumber} of bundle entry ${JSON.stringify(entryName)}`;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`${where} is not a JSON object`);
  const line: unknown = JSON.stringify(record);
  if (typeof line !== 'string' || !line.startsWith('{')) throw new Error(`${where} does not serialise to a JSON object`);
  // The reader refuses longer lines, so refusing them here keeps every written bundle readable.
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short lines skip the byte count.
  const max = DEFAULT_BUNDLE_CAPS.maxRecordBytes;
  if (line.length * 3 > max && Buffer.byteLength(line, 'utf8') > max) {
    throw new Error(`${where} is longer than ${max} bytes`);
  }
  return `${line}\n`;
}
