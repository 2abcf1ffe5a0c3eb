import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import { formatZodIssues, isStrictBase64 } from '../../protocol/signed-envelope.js';
import {
  MANIFEST_ENTRY, MAX_MANIFEST_ENTRIES, SIGNATURE_ENTRY, manifestEntrySchema, partFileName, syncManifestHeaderSchema, syncManifestSchema,
  type ManifestEntry, type SyncManifest, type SyncManifestHeader,
} from '../../protocol/sync-manifest.js';
import { DEFAULT_BUNDLE_CAPS, DEFAULT_PART_BYTES, resolveBundleCaps, type BundleCaps } from './bundle-caps.js';
import { CapBudget } from './bundle-cap-budget.js';
import { readZipDirectory } from './zip-directory-reader.js';

export interface BundleEntrySource {
  name: string;
  /** What the records are, e.g. product-instances; copied to the manifest. */
  kind: string;
  /**
   * JSON objects, pulled one at a time: an entry is never held in memory whole. Or `{ lines }`: records already
   * serialised by JSON.stringify of an object (one per item, no newline), e.g. read back from a spool file, so that
   * 1M records are not parsed and serialised again.
   */
  records: Iterable<unknown> | AsyncIterable<unknown> | { lines: AsyncIterable<string> };
  /**
   * Written as parts `partFileName(kind, 1..n)` (format 2), each below the part size, instead of one entry named
   * `name`: for kinds that grow with the inventory. At least one part is written, empty if there are no records.
   */
  parts?: boolean;
}

export interface BundleContent {
  /** The manifest minus its entries, which the writer fills in. */
  header: SyncManifestHeader;
  entries: readonly BundleEntrySource[];
  /** Returns the base64 DER signature over the exact manifest bytes, by the sender's key. */
  sign: (manifestBytes: Buffer) => string;
  /** How data entries are packed; manifest.json and manifest.sig are always stored. Default deflate. */
  compression?: 'deflate' | 'store';
  /**
   * The caps of the reader this bundle is for (default: the defaults). The writer never produces a bundle that
   * reader refuses: it splits parts below them and fails (no bundle appears) where it cannot.
   */
  caps?: Partial<BundleCaps>;
  /** Uncompressed bytes a part stays within; default DEFAULT_PART_BYTES, never above `caps.maxEntryBytes`. */
  partBytes?: number;
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
    // The exact check of what a reader checks first (archive size, entry sizes, ratios, total), on the very bytes
    // written: a bundle its reader would refuse never appears under the final name.
    await readZipDirectory(temporary, resolveBundleCaps(content.caps));
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
    const caps = resolveBundleCaps(content.caps);
    const partBytes = Math.min(content.partBytes ?? DEFAULT_PART_BYTES, caps.maxEntryBytes);
    const failed = new Promise<never>((_resolve, reject) => {
      archive.on('error', reject);
      archive.on('warning', reject);
      out.on('error', reject);
    });
    failed.catch(() => undefined);
    archive.pipe(out);

    const date = new Date(content.header.created_at);
    const written: WrittenEntry[] = [];
    const budget = new CapBudget(caps, archive);
    // One entry at a time: a kind in parts only knows where its next part starts once the previous one is full.
    for (const entry of content.entries) {
      const lines = ndjsonLines(entry);
      let part = 0;
      do {
        part += 1;
        const name = entry.parts === true ? partFileName(entry.kind, part) : entry.name;
        const tally: EntryTally = { hash: createHash('sha256'), size: 0, records: 0 };
        const splitAt = entry.parts === true ? partBytes : Number.POSITIVE_INFINITY;
        const source = Readable.from(encodePart(lines, tally, splitAt, name, budget), { objectMode: false });
        sources.push(source);
        budget.startEntry();
        archive.append(source, { name, date, mode: 0o644, store: content.compression === 'store' });
        await Promise.race([finished(source), failed]);
        written.push({ name, kind: entry.kind, ...(entry.parts === true ? { part } : {}), tally });
      } while (entry.parts === true && !lines.done());
    }

    const manifest = buildManifest(content, written);
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    const signature = content.sign(manifestBytes);
    if (!isStrictBase64(signature)) throw new Error('sign() must return the signature as base64');
    archive.append(manifestBytes, { name: MANIFEST_ENTRY, date, mode: 0o644, store: true });
    archive.append(Buffer.from(signature, 'latin1'), { name: SIGNATURE_ENTRY, date, mode: 0o644, store: true });
    await Promise.race([archive.finalize(), failed]);
    await Promise.race([finished(out), failed]);
    budget.checkArchive();
    return manifest;
  } catch (error) {
    archive.abort();
    for (const source of sources) source.destroy();
    out.destroy();
    throw error;
  }
}

interface WrittenEntry {
  name: string;
  kind: string;
  part?: number;
  tally: EntryTally;
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

function buildManifest(content: BundleContent, written: readonly WrittenEntry[]): SyncManifest {
  const entries = written.map(({ name, kind, part, tally }): ManifestEntry => ({
    name, kind, sha256: tally.hash.digest('hex'), size: tally.size, records: tally.records, ...(part !== undefined ? { part } : {}),
  }));
  const parsed = syncManifestSchema.safeParse({ ...content.header, entries });
  if (!parsed.success) throw new Error(`bundle manifest is invalid: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

/** The serialised lines of one source, pulled across its parts: a line that does not fit a part opens the next. */
interface LineSource {
  next(): Promise<string | undefined>;
  /** Puts back the line that did not fit, for the next part. */
  unshift(line: string): void;
  done(): boolean;
}

function ndjsonLines(entry: BundleEntrySource): LineSource {
  const source = entry.records;
  const serialised = 'lines' in source;
  const iterator = serialised
    ? source.lines[Symbol.asyncIterator]()
    : Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let held: string | undefined;
  let finishedReading = false;
  let count = 0;
  return {
    async next() {
      if (held !== undefined) {
        const line = held;
        held = undefined;
        return line;
      }
      if (finishedReading) return undefined;
      const step = await iterator.next();
      if (step.done === true) {
        finishedReading = true;
        return undefined;
      }
      count += 1;
      return serialised ? checkSerialised(entry.name, count, step.value) : serialiseRecord(entry.name, count, step.value);
    },
    unshift(line) {
      held = line;
    },
    done: () => finishedReading && held === undefined,
  };
}

/**
 * NDJSON bytes of one entry or part, produced as the archive pulls them, counted and hashed on the way out. A part
 * ends before the line that would take it past `splitAt` (a part always holds at least one line).
 */
async function* encodePart(lines: LineSource, tally: EntryTally, splitAt: number, name: string, budget: CapBudget): AsyncGenerator<Buffer> {
  let batch: string[] = [];
  let batchBytes = 0;
  const flush = (): Buffer => {
    const chunk = Buffer.from(batch.join(''), 'utf8');
    batch = [];
    batchBytes = 0;
    tally.hash.update(chunk);
    tally.size += chunk.length;
    budget.spend(name, chunk.length, tally.size);
    return chunk;
  };
  for (let line = await lines.next(); line !== undefined; line = await lines.next()) {
    const bytes = Buffer.byteLength(line, 'utf8');
    if (tally.records > 0 && tally.size + batchBytes + bytes > splitAt) {
      lines.unshift(line);
      break;
    }
    batch.push(line);
    batchBytes += bytes;
    tally.records += 1;
    if (batchBytes >= BATCH_BYTES) yield flush();
  }
  if (batch.length > 0) yield flush();
}

function checkSerialised(entryName: string, recordNumber: number, line: unknown): string {
  if (typeof line !== 'string' || !line.startsWith('{') || !line.endsWith('}') || line.includes('\n')) {
    throw new Error(`record ${recordNumber} of bundle entry ${JSON.stringify(entryName)} is not one serialised JSON object`);
  }
  checkLength(entryName, recordNumber, line);
  return `${line}\n`;
}

function checkLength(entryName: string, recordNumber: number, line: string): void {
  // The reader refuses longer lines, so refusing them here keeps every written bundle readable.
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short lines skip the byte count.
  const max = DEFAULT_BUNDLE_CAPS.maxRecordBytes;
  if (line.length * 3 > max && Buffer.byteLength(line, 'utf8') > max) {
    throw new Error(`record ${recordNumber} of bundle entry ${JSON.stringify(entryName)} is longer than ${max} bytes`);
  }
}

function serialiseRecord(entryName: string, recordNumber: number, record: unknown): string {
  const where = `record ${recordNumber} of bundle entry ${JSON.stringify(entryName)}`;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`${where} is not a JSON object`);
  const line: unknown = JSON.stringify(record);
  if (typeof line !== 'string' || !line.startsWith('{')) throw new Error(`${where} does not serialise to a JSON object`);
  checkLength(entryName, recordNumber, line);
  return `${line}\n`;
}
