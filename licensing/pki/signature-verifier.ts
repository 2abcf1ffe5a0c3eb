import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '../instances/product-instance.js';
import { importSpkiPublicKey } from './public-key-import.js';

export interface DeviceSignatureInput {
  algorithm: KeyAlgorithm;
  /** SubjectPublicKeyInfo DER of the signer's certificate key. */
  publicKeyDer: Uint8Array;
  /** The exact payload text of the envelope; its UTF-8 bytes are what was signed. */
  payload: string;
  signatureBase64: string;
}

/**
 * The default number of imported device keys kept (SATELLITE_DEVICE_KEY_CACHE). A fleet larger than this
 * re-imports a key on most requests; the crypto worker pool keeps a cache of this size per worker.
 */
export const KEY_CACHE_LIMIT = 20_000;
// A DER ECDSA P-256 signature is at most 72 bytes and RSA-16384 is 2 KiB; longer text is not worth decoding.
const MAX_SIGNATURE_BASE64_LENGTH = 4096;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type DeviceSignatureVerifier = (input: DeviceSignatureInput) => boolean;

/**
 * A verifier with its own least-recently-used cache of `keyCacheLimit` imported keys (0: import every time).
 * The crypto worker's source (signature-worker-source.ts) is the same algorithm in plain JavaScript; a test
 * holds the two to the same answers.
 */
export function createDeviceSignatureVerifier(keyCacheLimit: number): DeviceSignatureVerifier {
  const keyCache = new Map<string, KeyObject>();
  const publicKeyFor = (der: Uint8Array): KeyObject | null => cachedPublicKey(keyCache, keyCacheLimit, der);
  /**
   * Checks a device's envelope signature (DESIGN §4.1). Returns false instead of throwing for any malformed
   * input, because a bad signature is a protocol outcome (SIGNATURE_INVALID), not a server fault.
   */
  return (input) => {
    const signature = decodeSignature(input.signatureBase64);
    if (signature === null) return false;
    const key = publicKeyFor(input.publicKeyDer);
    if (key === null || !keyMatchesAlgorithm(key, input.algorithm)) return false;
    try {
      // ES256 takes the DER (r, s) encoding, node's default for EC keys; RS256 is PKCS#1 v1.5, the RSA default.
      return verify('sha256', Buffer.from(input.payload, 'utf8'), key, signature);
    } catch {
      return false;
    }
  };
}

/** The process-wide verifier with the default cache, for callers outside the device hot path. */
export const verifyDeviceSignature: DeviceSignatureVerifier = createDeviceSignatureVerifier(KEY_CACHE_LIMIT);

/** ES256 (or RS256 for an RSA key) over the UTF-8 bytes of payload, base64; the agent side of the envelope. */
export function signPayload(privateKey: KeyObject, payload: string): string {
  return sign('sha256', Buffer.from(payload, 'utf8'), privateKey).toString('base64');
}

function decodeSignature(text: string): Buffer | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_SIGNATURE_BASE64_LENGTH) return null;
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 0 ? null : bytes;
}

function cachedPublicKey(keyCache: Map<string, KeyObject>, limit: number, der: Uint8Array): KeyObject | null {
  if (limit <= 0) return importOrNull(der);
  // A digest keeps cache keys short; an RSA-4096 SPKI would otherwise be a 700-character string.
  const id = createHash('sha256').update(der).digest('base64');
  const cached = keyCache.get(id);
  if (cached !== undefined) {
    // Re-inserting moves the entry to the end of the Map's order, which makes eviction least-recently-used.
    keyCache.delete(id);
    keyCache.set(id, cached);
    return cached;
  }
  const key = importOrNull(der);
  if (key === null) return null;
  if (keyCache.size >= limit) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  keyCache.set(id, key);
  return key;
}

function importOrNull(der: Uint8Array): KeyObject | null {
  try {
    return importSpkiPublicKey(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  } catch {
    return null;
  }
}

/** Refuses an algorithm/key mismatch so a key_id pointing at an RSA cert cannot be used with ES256 and back. */
function keyMatchesAlgorithm(key: KeyObject, algorithm: KeyAlgorithm): boolean {
  return algorithm === 'ES256'
    ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
    : key.asymmetricKeyType === 'rsa';
}
