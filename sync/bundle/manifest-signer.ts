import { sign, verify, type KeyObject } from 'node:crypto';

/**
 * The bundle signature of DESIGN §5.1: ECDSA (P-256) with SHA-256, DER encoded, base64, over the exact
 * manifest bytes; the same shape as the device envelope signature. RSA keys work too (PKCS#1 v1.5).
 */
export function createManifestSigner(privateKey: KeyObject): (manifestBytes: Buffer) => string {
  return (manifestBytes) => sign('sha256', manifestBytes, { key: privateKey, dsaEncoding: 'der' }).toString('base64');
}

/** Verifies against one pinned key; the reader turns false (or a throw on a malformed DER) into BAD_SIGNATURE. */
export function createManifestVerifier(publicKey: KeyObject): (manifestBytes: Buffer, signatureB64: string) => boolean {
  return (manifestBytes, signatureB64) =>
    verify('sha256', manifestBytes, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(signatureB64, 'base64'));
}
