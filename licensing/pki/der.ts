/**
 * The few DER primitives the hot PKI paths need: reading a TLV strictly and writing the fixed shapes of a
 * device certificate. @peculiar/x509 does the same in general-purpose JavaScript ASN.1 and cost most of a
 * REGISTER's CPU; everything here is a handful of Buffer operations. The reader accepts only definite,
 * minimal lengths (DER), so anything unusual is left to the general parser by returning null.
 */

export const TAG = {
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13, T61_STRING: 0x14, IA5_STRING: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c, BMP_STRING: 0x1e, SEQUENCE: 0x30, SET: 0x31, CONTEXT_0: 0xa0, CONTEXT_3: 0xa3,
} as const;

/** One TLV: the whole element is der[start, end), its content der[contentStart, end). */
export interface DerNode { tag: number; start: number; contentStart: number; end: number }

/** Reads the element at `offset`, which must end by `limit`; null when it is not strict DER. */
export function readNode(der: Uint8Array, offset: number, limit: number = der.length): DerNode | null {
  const tag = der[offset];
  const first = der[offset + 1];
  // Tag numbers above 30 use a multi-byte form that nothing read here contains.
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return null;
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    // 0 is BER's indefinite length; four or more length bytes would mean a gigabyte-sized element.
    if (count === 0 || count > 3) return null;
    length = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = der[contentStart + i];
      if (byte === undefined) return null;
      length = length * 256 + byte;
    }
    // DER uses the shortest form: no leading zero byte, and the long form only from 128 on.
    if (length < 0x80 || der[contentStart] === 0) return null;
    contentStart += count;
  }
  const end = contentStart + length;
  return end > limit ? null : { tag, start: offset, contentStart, end };
}

/** The elements that exactly fill a constructed node's content; null if they don't. */
export function readChildren(der: Uint8Array, parent: DerNode): DerNode[] | null {
  const nodes: DerNode[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const node = readNode(der, offset, parent.end);
    if (node === null) return null;
    nodes.push(node);
    offset = node.end;
  }
  return nodes;
}

/** The single element filling `der`, with nothing after it. */
export function readWhole(der: Uint8Array): DerNode | null {
  const node = readNode(der, 0);
  return node !== null && node.end === der.length ? node : null;
}

export function bytesOf(der: Uint8Array, node: DerNode): Buffer {
  return Buffer.from(der.buffer, der.byteOffset + node.start, node.end - node.start);
}

export function contentOf(der: Uint8Array, node: DerNode): Buffer {
  return Buffer.from(der.buffer, der.byteOffset + node.contentStart, node.end - node.contentStart);
}

export function encode(tag: number, ...contents: Uint8Array[]): Buffer {
  const length = contents.reduce((sum, part) => sum + part.length, 0);
  return Buffer.concat([Buffer.from([tag]), encodeLength(length), ...contents]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A positive INTEGER from big-endian hex, with the 0x00 pad DER needs when the top bit is set. */
export function encodePositiveInteger(hex: string): Buffer {
  let bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  let skip = 0;
  while (skip < bytes.length - 1 && bytes[skip] === 0 && ((bytes[skip + 1] ?? 0) & 0x80) === 0) skip += 1;
  bytes = bytes.subarray(skip);
  return encode(TAG.INTEGER, ((bytes[0] ?? 0x80) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** RFC 5280 4.1.2.5: UTCTime for 1950 through 2049, GeneralizedTime otherwise; whole seconds, always Zulu. */
export function encodeTime(epochMs: number): Buffer {
  const date = new Date(epochMs);
  const year = date.getUTCFullYear();
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return year >= 1950 && year < 2050
    ? encode(TAG.UTC_TIME, Buffer.from(`${two(year % 100)}${rest}`, 'latin1'))
    : encode(TAG.GENERALIZED_TIME, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'latin1'));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** PrintableString when every character allows it (what @peculiar/x509 chose for names), else UTF8String. */
export function encodeDirectoryString(text: string): Buffer {
  return PRINTABLE.test(text) ? encode(TAG.PRINTABLE_STRING, Buffer.from(text, 'latin1')) : encode(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
}

export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`);
  return lines.join('\n');
}
