import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * The SHA-256 of a public key's SubjectPublicKeyInfo DER, as 64 lowercase hex digits. An admin gets the same
 * value with `openssl pkey -pubin -in key.pem -outform DER | openssl dgst -sha256`, which is why it is plain hex:
 * both sides of the air gap print it, and an admin compares it by eye or pins it with a flag.
 */
export function publicKeyFingerprint(key: KeyObject | string): string {
  const publicKey = typeof key === 'string' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** A fingerprint as printed by either side or by openssl (any case, optional colons, spaces or "SHA256:"); null if it is none. */
export function normalizeFingerprint(text: string): string | null {
  const clean = text.trim().replace(/^sha-?256[:=]?\s*/i, '').replace(/[:\s]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(clean) ? clean : null;
}
