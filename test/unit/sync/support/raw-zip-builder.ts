import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * A deliberately naive zip writer and reader for test fixtures only. archiver sanitises names ("../x"
 * becomes "x") and always tells the truth about sizes, so hostile archives are assembled here by hand.
 */
export interface RawZipEntry {
  name: string;
  /** The uncompressed content. */
  data: Buffer;
  /** 0 stored (default), 8 deflated. */
  method?: 0 | 8;
  /** Defaults to a regular file, mode 0644. */
  externalAttributes?: number;
  /** The uncompressed size written in both headers, when it should lie. */
  declaredSize?: number;
  /** The name in the local header, when it should differ from the central directory's. */
  localName?: string;
}

export const REGULAR_FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;
export const SYMLINK_ATTRIBUTES = (0o120777 << 16) >>> 0;
export const DIRECTORY_ATTRIBUTES = ((0o040755 << 16) | 0x10) >>> 0;

const DOS_DATE_1980_01_01 = 0x0021;
const UNIX_ZIP_30 = 0x031e;

export function buildRawZip(entries: readonly RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const method = entry.method ?? 0;
    const body = method === 8 ? deflateRawSync(entry.data) : entry.data;
    const name = Buffer.from(entry.name, 'utf8');
    const localName = Buffer.from(entry.localName ?? entry.name, 'utf8');
    const crc = crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    locals.push(local, localName, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(UNIX_ZIP_30, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(entry.externalAttributes ?? REGULAR_FILE_ATTRIBUTES, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + localName.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export interface RawZipListing {
  name: string;
  method: number;
  /** Where the entry's (compressed) bytes start in the archive. */
  dataOffset: number;
  compressedSize: number;
  /** The uncompressed content. */
  data: Buffer;
}

/** Lists a zip without a comment, as archiver and buildRawZip write them. */
export function listRawZip(zip: Buffer): RawZipListing[] {
  const end = zip.length - 22;
  if (zip.readUInt32LE(end) !== 0x06054b50) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let cursor = zip.readUInt32LE(end + 16);
  const listing: RawZipListing[] = [];
  for (let i = 0; i < count; i += 1) {
    const method = zip.readUInt16LE(cursor + 10);
    const compressedSize = zip.readUInt32LE(cursor + 20);
    const nameLength = zip.readUInt16LE(cursor + 28);
    const extraLength = zip.readUInt16LE(cursor + 30);
    const commentLength = zip.readUInt16LE(cursor + 32);
    const localOffset = zip.readUInt32LE(cursor + 42);
    const name = zip.subarray(cursor + 46, cursor + 46 + nameLength).toString('utf8');
    const dataOffset = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const body = zip.subarray(dataOffset, dataOffset + compressedSize);
    listing.push({ name, method, dataOffset, compressedSize, data: method === 8 ? inflateRawSync(body) : Buffer.from(body) });
    cursor += 46 + nameLength + extraLength + commentLength;
  }
  return listing;
}

const CRC_TABLE = Array.from({ length: 256 }, (_unused, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
