import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Every P-256 device key is the same 91-byte SubjectPublicKeyInfo: a fixed 26-byte header, then the
 * uncompressed point 04 || x || y. OpenSSL 3's generic DER decoder takes about 100 µs per key, importing the
 * same point as a JWK about half that (measured on Node 20), and with thousands of devices a key seen for the
 * first time is common. The JWK import still checks that the point lies on the curve. Any other key (RSA,
 * a compressed point, explicit curve parameters) goes through the DER decoder as before.
 */
const P256_SPKI_HEADER = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const COORDINATE_BYTES = 32;
const P256_SPKI_LENGTH = P256_SPKI_HEADER.length + 1 + 2 * COORDINATE_BYTES;

/** Throws like createPublicKey when the DER is not a usable public key. */
export function importSpkiPublicKey(der: Buffer): KeyObject {
  const point = P256_SPKI_HEADER.length;
  if (der.length === P256_SPKI_LENGTH && der[point] === 0x04 && der.subarray(0, point).equals(P256_SPKI_HEADER)) {
    const x = der.subarray(point + 1, point + 1 + COORDINATE_BYTES);
    const y = der.subarray(point + 1 + COORDINATE_BYTES);
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
  }
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}
