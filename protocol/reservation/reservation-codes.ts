import { createHash } from 'node:crypto';
import { base58Groups, decodeBase58Groups, ungroup } from './base58-groups.js';

/**
 * The codes of DESIGN §9.1 that derive from others. All take the exact code text: a confirmation or return
 * code proves which authorization code the device installed.
 */
export function plrSignedText(requestCode: string): string {
  return `PLR|${requestCode.trim()}`;
}

/** `rawSignature` is the 64-byte r‖s (IEEE P1363) ECDSA-SHA256 signature over plrSignedText(). */
export function formatPlrAuthorizationCode(rawSignature: Uint8Array): string {
  return base58Groups(rawSignature);
}

/** The 64 signature bytes of a PLR code, or null when it is not one. */
export function readPlrAuthorizationCode(code: string): Uint8Array | null {
  const bytes = decodeBase58Groups(code.trim());
  return bytes !== null && bytes.length === 64 ? bytes : null;
}

export function confirmationCodeFor(authorizationCode: string): string {
  return createHash('sha256').update(authorizationCode.trim(), 'utf8').digest().subarray(0, 4).toString('hex');
}

export function returnCodeFor(authorizationCode: string): string {
  return base58Groups(createHash('sha256').update(`RETURN|${authorizationCode.trim()}`, 'utf8').digest());
}

/** Codes typed by hand compare without their grouping dashes and surrounding whitespace. */
export function sameCode(a: string, b: string): boolean {
  return ungroup(a) === ungroup(b);
}

export function sameConfirmationCode(typed: string, expected: string): boolean {
  return typed.trim().toLowerCase() === expected;
}
