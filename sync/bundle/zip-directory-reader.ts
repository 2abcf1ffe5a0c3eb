import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Open, type File as ZipFile } from 'unzipper';
import { ENTRY_NAME_PATTERN, MANIFEST_ENTRY, SIGNATURE_ENTRY } from '../../protocol/sync-manifest.js';
import { MAX_SIGNATURE_BYTES, RATIO_CHECK_FLOOR_BYTES, type BundleCaps } from './bundle-caps.js';
import { BundleRejectedError } from './bundle-rejected-error.js';

/** What the central directory says about one entry, after every check below has passed. */
export interface ZipEntryInfo {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  fileSize: number;
  /** Where the central directory starts: no entry's data may reach past it. */
  centralDirectoryOffset: number;
  entries: ReadonlyMap<string, ZipEntryInfo>;
}

const LOCAL_HEADER_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_HEADER_BYTES = 46;
const END_RECORD_BYTES = 22;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const DOS_DIRECTORY = 0x10;

/**
 * Steps (a) and (b) of the bundle checks: the file is a plain zip within the compressed cap, and its
 * central directory holds only safe, unique, regular entries within the size caps. Nothing is
 * decompressed here; the entries are only described.
 */
export async function readZipDirectory(file: string, caps: BundleCaps): Promise<ZipDirectory> {
  const info = await stat(file);
  if (!info.isFile()) throw corrupt(`${file} is not a regular file`);
  if (info.size > caps.maxCompressedBytes) {
    throw new BundleRejectedError('TOO_LARGE', `the bundle is ${info.size} bytes, over the ${caps.maxCompressedBytes} byte cap`);
  }
  if (info.size < END_RECORD_BYTES || !(await startsWithLocalHeader(file))) throw corrupt('the bundle is not a zip archive');

  const directory = await openCentralDirectory(file, info.size);
  checkLayout(directory, info.size);
  const dataEntries = directory.files.length - 2;
  if (dataEntries > caps.maxEntries) {
    throw new BundleRejectedError('TOO_LARGE', `the bundle holds ${directory.files.length} entries, over the cap of ${caps.maxEntries} data entries`);
  }

  const entries = new Map<string, ZipEntryInfo>();
  const lowerCaseNames = new Set<string>();
  let total = 0;
  for (const zipFile of directory.files) {
    const entry = checkEntry(zipFile, caps);
    const key = entry.name.toLowerCase();
    if (lowerCaseNames.has(key)) throw new BundleRejectedError('DUPLICATE_ENTRY', `entry ${quote(entry.name)} appears more than once`);
    lowerCaseNames.add(key);
    total += entry.uncompressedSize;
    if (total > caps.maxTotalBytes) {
      throw new BundleRejectedError('TOO_LARGE', `the entries declare more than ${caps.maxTotalBytes} bytes in total`);
    }
    if (entry.localHeaderOffset + LOCAL_HEADER_BYTES + zipFile.fileNameLength + entry.compressedSize > directory.offsetToStartOfCentralDirectory) {
      throw corrupt(`entry ${quote(entry.name)} runs into the central directory`);
    }
    entries.set(entry.name, entry);
  }
  checkNoOverlap(directory.files);
  for (const required of [MANIFEST_ENTRY, SIGNATURE_ENTRY]) {
    if (!entries.has(required)) throw new BundleRejectedError('MISSING_ENTRY', `the bundle has no ${required}`);
  }
  return { fileSize: info.size, centralDirectoryOffset: directory.offsetToStartOfCentralDirectory, entries };
}

async function startsWithLocalHeader(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(LOCAL_HEADER_SIGNATURE.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(LOCAL_HEADER_SIGNATURE);
  } finally {
    await handle.close();
  }
}

/**
 * unzipper parses the end record and the central directory. Its source is bounded to the size checked
 * above (a file that grows meanwhile is not read further), and every stream it opened is closed
 * afterwards: it leaves them paused otherwise, holding file descriptors.
 */
async function openCentralDirectory(file: string, size: number): Promise<Awaited<ReturnType<typeof Open.custom>>> {
  const opened: Readable[] = [];
  const source = {
    size: () => Promise.resolve(size),
    stream: (offset: number, length?: number): Readable => {
      const end = Math.min(length === undefined ? size : offset + length, size);
      const stream = offset >= end ? Readable.from([]) : createReadStream(file, { start: offset, end: end - 1 });
      opened.push(stream);
      return stream;
    },
  };
  try {
    return await Open.custom(source);
  } catch (error) {
    throw corrupt(`its central directory cannot be read (${describe(error)})`);
  } finally {
    for (const stream of opened) stream.destroy();
  }
}

/**
 * One archive, one disk, no zip64, nothing before the first entry or between the central directory and
 * the end record: the layout the writer produces. Anything else could be read differently by another
 * zip reader than by this one, so it is refused rather than interpreted.
 */
function checkLayout(directory: Awaited<ReturnType<typeof Open.custom>>, fileSize: number): void {
  if (directory.diskNumber !== 0 || directory.diskStart !== 0 || directory.numberOfRecordsOnDisk !== directory.numberOfRecords) {
    throw corrupt('it spans several disks');
  }
  const headerBytes = directory.files.reduce(
    (sum, f) => sum + CENTRAL_HEADER_BYTES + f.fileNameLength + f.extraFieldLength + f.fileCommentLength, 0);
  const endOfDirectory = directory.offsetToStartOfCentralDirectory + directory.sizeOfCentralDirectory;
  if (headerBytes !== directory.sizeOfCentralDirectory || endOfDirectory + END_RECORD_BYTES + directory.commentLength !== fileSize) {
    throw corrupt('its central directory does not match its end record (zip64, appended data or a damaged directory)');
  }
}

function checkEntry(zipFile: ZipFile, caps: BundleCaps): ZipEntryInfo {
  const name = zipFile.pathBuffer.toString('latin1');
  const unsafe = describeUnsafeName(name);
  if (unsafe !== undefined) throw new BundleRejectedError('UNSAFE_ENTRY_NAME', `entry ${quote(name)} ${unsafe}`);

  const attributes = zipFile.externalFileAttributes;
  const fileType = (attributes >>> 16) & S_IFMT;
  if (fileType === S_IFLNK) throw new BundleRejectedError('LINK_ENTRY', `entry ${quote(name)} is a symbolic link`);
  if (fileType === S_IFDIR || (attributes & DOS_DIRECTORY) !== 0) throw new BundleRejectedError('LINK_ENTRY', `entry ${quote(name)} is a directory`);
  if (fileType !== 0 && fileType !== S_IFREG) {
    throw new BundleRejectedError('LINK_ENTRY', `entry ${quote(name)} is not a regular file (mode ${fileType.toString(8)})`);
  }
  // Bit 0: traditional encryption, bit 6: strong encryption. Bundles are signed, never encrypted.
  if ((zipFile.flags & 0x41) !== 0) throw corrupt(`entry ${quote(name)} is encrypted`);
  const method = zipFile.compressionMethod;
  if (method !== 0 && method !== 8) throw corrupt(`entry ${quote(name)} uses compression method ${method}; only stored and deflated are read`);
  const { compressedSize, uncompressedSize } = zipFile;
  if (method === 0 && compressedSize !== uncompressedSize) throw corrupt(`stored entry ${quote(name)} declares two different sizes`);

  const cap = name === MANIFEST_ENTRY ? caps.maxManifestBytes : name === SIGNATURE_ENTRY ? MAX_SIGNATURE_BYTES : caps.maxEntryBytes;
  if (uncompressedSize > cap) {
    throw new BundleRejectedError('TOO_LARGE', `entry ${quote(name)} declares ${uncompressedSize} bytes, over the ${cap} byte cap`);
  }
  if (uncompressedSize > RATIO_CHECK_FLOOR_BYTES && uncompressedSize > caps.maxCompressionRatio * compressedSize) {
    const ratio = Math.round(uncompressedSize / Math.max(compressedSize, 1));
    throw new BundleRejectedError('TOO_LARGE',
      `entry ${quote(name)} would inflate ${ratio}:1, over the ${caps.maxCompressionRatio}:1 cap (zip bomb)`);
  }
  return { name, method, compressedSize, uncompressedSize, localHeaderOffset: zipFile.offsetToLocalFileHeader };
}

/** Why a name is not a plain entry name, most specific cause first; undefined when it is one. */
export function describeUnsafeName(name: string): string | undefined {
  if (name.length === 0) return 'has an empty name';
  if (name.startsWith('/') || name.startsWith('\\')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.includes('..')) return 'contains ".." (path traversal)';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (!ENTRY_NAME_PATTERN.test(name)) return `does not match the entry name rule ${String(ENTRY_NAME_PATTERN)}`;
  return undefined;
}

/**
 * Entries whose data share bytes are the trick behind overlapping zip bombs and behind archives that
 * different readers see differently. The local header may carry a longer extra field than the central
 * one, so the bound used here is a minimum, and the local header itself is checked on read.
 */
function checkNoOverlap(files: readonly ZipFile[]): void {
  const byOffset = [...files].sort((a, b) => a.offsetToLocalFileHeader - b.offsetToLocalFileHeader);
  if ((byOffset[0]?.offsetToLocalFileHeader ?? 0) !== 0) throw corrupt('it has data before its first entry');
  for (let i = 1; i < byOffset.length; i += 1) {
    const previous = byOffset[i - 1];
    const current = byOffset[i];
    if (previous === undefined || current === undefined) continue;
    const previousEnd = previous.offsetToLocalFileHeader + LOCAL_HEADER_BYTES + previous.fileNameLength + previous.compressedSize;
    if (previousEnd > current.offsetToLocalFileHeader) {
      throw corrupt(`entries ${quote(previous.pathBuffer.toString('latin1'))} and ${quote(current.pathBuffer.toString('latin1'))} overlap`);
    }
  }
}

export function corrupt(cause: string): BundleRejectedError {
  return new BundleRejectedError('CORRUPT_ARCHIVE', `the bundle is not a well-formed zip archive: ${cause}`);
}

/** Entry names are shown quoted and escaped, so a hostile name cannot forge log lines or messages. */
export function quote(name: string): string {
  return JSON.stringify(name);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
