import { createHash } from 'node:crypto';
import bs58 from 'bs58';
import { ReservationCodeError } from './reservation-code-error.js';

/** A device's reservation request code, read (DESIGN §9.1). The raw code is kept: PLR signs it. */
export interface ReservationRequestCode {
  /** Trimmed, exactly as the device printed it. */
  code: string;
  shape: 'IOS_XE' | 'UDI_FIELDS';
  pid: string;
  serialNumber: string;
  vid: string | null;
  hostIdentifier: string | null;
  token: string;
}

export const MAX_REQUEST_CODE_LENGTH = 512;
const PREFIX = /^[A-Za-z]{2}-/;
const TAIL = /-([1-9A-HJ-NP-Za-km-z]+)-([0-9A-Fa-f]{2})$/;
const FIELD = /^[A-Za-z0-9._/+-]+$/;

/**
 * Reads both public shapes: `CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-86` (IOS-XE) and
 * `CB-PExpressway,S08F8FF3C,V1.0,H320aa69d-A7C3vjcf-AE` (UDI fields, the `P` optional). The 2-hex tail is
 * Cisco's unpublished checksum, so its value is not checked; only its shape is.
 */
export function parseReservationRequestCode(input: string): ReservationRequestCode {
  if (typeof input !== 'string') throw new ReservationCodeError('the reservation request code must be text');
  const code = input.trim();
  if (code === '') throw new ReservationCodeError('the reservation request code is empty');
  if (code.startsWith('<')) {
    throw new ReservationCodeError('this is an SLR authorization code (XML), not a request code: give the code the device printed for "reservation request"');
  }
  if (code.length > MAX_REQUEST_CODE_LENGTH) {
    throw new ReservationCodeError(`the reservation request code is longer than ${MAX_REQUEST_CODE_LENGTH} characters`);
  }
  if (!PREFIX.test(code)) throw new ReservationCodeError('the reservation request code must start with two letters and "-" (like "CB-")');
  const tail = TAIL.exec(code);
  if (tail === null) {
    throw new ReservationCodeError('the reservation request code must end with "-<base58 token>-<2 hex digits>"; it may be truncated');
  }
  const token = tail[1] ?? '';
  const udiText = code.slice(3, code.length - tail[0].length);
  if (udiText.startsWith('Z')) return { code, shape: 'IOS_XE', token, ...readIosXeUdi(udiText.slice(1)) };
  if (udiText.includes(',')) return { code, shape: 'UDI_FIELDS', token, ...readUdiFields(udiText) };
  throw new ReservationCodeError('the reservation request code carries no UDI: expected "Z<pid>:<serial>" or "P<pid>,S<serial>,V<vid>,H<host id>"');
}

type UdiParts = Pick<ReservationRequestCode, 'pid' | 'serialNumber' | 'vid' | 'hostIdentifier'>;

function readIosXeUdi(text: string): UdiParts {
  const parts = text.split(':');
  const [pid, serialNumber] = parts;
  if (parts.length !== 2 || !pid || !serialNumber) {
    throw new ReservationCodeError('the UDI of an IOS-XE request code must be "Z<pid>:<serial>"');
  }
  return { pid: checked(pid, 'PID'), serialNumber: checked(serialNumber, 'serial number'), vid: null, hostIdentifier: null };
}

function readUdiFields(text: string): UdiParts {
  const fields = text.split(',');
  if (fields.length !== 4) {
    throw new ReservationCodeError(`the UDI of a request code must have 4 fields "P<pid>,S<serial>,V<vid>,H<host id>", found ${fields.length}`);
  }
  const [pidField = '', serialField = '', vidField = '', hostField = ''] = fields;
  const pid = pidField.startsWith('P') ? pidField.slice(1) : pidField;
  return {
    pid: checked(pid, 'PID'),
    serialNumber: checked(prefixed(serialField, 'S', 'serial number'), 'serial number'),
    vid: checked(prefixed(vidField, 'V', 'VID'), 'VID'),
    hostIdentifier: checked(prefixed(hostField, 'H', 'host id'), 'host id'),
  };
}

function prefixed(field: string, letter: string, what: string): string {
  if (!field.startsWith(letter)) throw new ReservationCodeError(`the ${what} field of the request code must start with "${letter}"`);
  return field.slice(1);
}

function checked(value: string, what: string): string {
  if (value === '') throw new ReservationCodeError(`the ${what} in the request code is empty`);
  if (value.length > 64 || !FIELD.test(value)) {
    throw new ReservationCodeError(`the ${what} in the request code has characters a UDI cannot have`);
  }
  return value;
}

/**
 * What our agent prints: the IOS-XE shape, a base58 token of 6 random bytes, and as tail the first byte of
 * SHA-256 over the text before "-<tail>" (our own checksum; Cisco's is unpublished).
 */
export function formatReservationRequestCode(udi: { pid: string; serialNumber: string }, tokenBytes: Uint8Array, prefix = 'CB'): string {
  if (tokenBytes.length === 0) throw new ReservationCodeError('a request code needs a non-empty token');
  const head = `${prefix}-Z${checked(udi.pid, 'PID')}:${checked(udi.serialNumber, 'serial number')}-${bs58.encode(tokenBytes)}`;
  const tail = createHash('sha256').update(head, 'utf8').digest().subarray(0, 1).toString('hex').toUpperCase();
  return `${head}-${tail}`;
}
