import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { BundleRejectedError } from './bundle-rejected-error.js';
import { corrupt, quote, type ZipDirectory, type ZipEntryInfo } from './zip-directory-reader.js';

const LOCAL_HEADER_BYTES = 30;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;

/**
 * The decompressed bytes of one entry, as they stream. Reads only the entry's own compressed bytes (the
 * range the central directory gives, never past the central directory) and stops with TOO_LARGE as
 * soon as the output passes `limit`, whatever the headers claim: a lying header cannot make this inflate
 * more than `limit` plus one zlib chunk. Breaking out of the iteration closes the file.
 */
export async function* readZipEntry(file: string, directory: ZipDirectory, entry: ZipEntryInfo, limit: number): AsyncGenerator<Buffer> {
  if (entry.compressedSize === 0) {
    // A deflate stream is never empty; a stored empty entry has nothing to read.
    if (entry.method === 8) throw corrupt(`deflated entry ${quote(entry.name)} has no data`);
    return;
  }
  const dataStart = await locateData(file, directory, entry);
  const source = createReadStream(file, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const output: Readable = entry.method === 8 ? pipeline(source, createInflateRaw(), () => undefined) : source;
  let produced = 0;
  try {
    for await (const chunk of output) {
      if (!Buffer.isBuffer(chunk)) throw new TypeError('expected bytes from the zip entry stream');
      produced += chunk.length;
      if (produced > limit) {
        throw new BundleRejectedError('TOO_LARGE', `entry ${quote(entry.name)} inflates past its declared ${limit} bytes (zip bomb); reading stopped`);
      }
      yield chunk;
    }
  } catch (error) {
    if (isZlibError(error)) throw corrupt(`entry ${quote(entry.name)} cannot be decompressed (${error.message})`);
    throw error;
  } finally {
    output.destroy();
    source.destroy();
  }
}

/** The whole entry in memory: only for manifest.json and manifest.sig, whose limits are small. */
export async function readZipEntryBytes(file: string, directory: ZipDirectory, entry: ZipEntryInfo, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readZipEntry(file, directory, entry, limit)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * The local header must agree with the central directory on the name and the method: archives whose two
 * headers disagree are read differently by different tools, which is how checks get smuggled past.
 */
async function locateData(file: string, directory: ZipDirectory, entry: ZipEntryInfo): Promise<number> {
  const expectedName = Buffer.from(entry.name, 'latin1');
  const header = Buffer.alloc(LOCAL_HEADER_BYTES + expectedName.length);
  const handle = await open(file, 'r');
  try {
    const { bytesRead } = await handle.read(header, 0, header.length, entry.localHeaderOffset);
    if (bytesRead !== header.length || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
      throw corrupt(`entry ${quote(entry.name)} has no local header where the central directory points`);
    }
  } finally {
    await handle.close();
  }
  const method = header.readUInt16LE(8);
  const nameLength = header.readUInt16LE(26);
  const extraLength = header.readUInt16LE(28);
  const localName = header.subarray(LOCAL_HEADER_BYTES, LOCAL_HEADER_BYTES + nameLength);
  if (nameLength !== expectedName.length) {
    throw corrupt(`the local header of entry ${quote(entry.name)} names another entry (${nameLength} bytes long)`);
  }
  if (!localName.equals(expectedName)) {
    throw corrupt(`the local header of entry ${quote(entry.name)} names ${quote(localName.toString('latin1'))}`);
  }
  if (method !== entry.method) throw corrupt(`the local header of entry ${quote(entry.name)} gives a different compression method`);
  const dataStart = entry.localHeaderOffset + LOCAL_HEADER_BYTES + nameLength + extraLength;
  if (dataStart + entry.compressedSize > directory.centralDirectoryOffset) {
    throw corrupt(`entry ${quote(entry.name)} runs into the central directory`);
  }
  return dataStart;
}

function isZlibError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('Z_');
}
