import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { publicKeyFingerprint } from './key-fingerprint.js';
import { formatZodIssues } from './signed-envelope.js';

/**
 * The satellite registration file (DESIGN §5.4, docs/upstream.md). The upstream issues it; the satellite
 * imports it to bind itself. Like the device envelope (§4.1) the registration travels as a string, `payload`,
 * so the signed bytes are exact without canonical JSON:
 *
 *   { "payload": "<registration JSON text>",
 *     "signature": { "alg": "ES256", "key_fingerprint": "<sha256 hex of the SPKI>", "value": "<base64 DER ECDSA>" } }
 *
 * The key that verifies the signature is inside the payload, so the file proves it is intact and was made by
 * the holder of that key; that the key is the real upstream's is the admin's to confirm, by comparing the
 * fingerprint printed on both sides or pinning it (`--fingerprint`). Once bound, the satellite keeps the key.
 */
export const REGISTRATION_FORMAT = 'satellite-registration';
export const REGISTRATION_VERSION = 1;
export const MAX_REGISTRATION_FILE_BYTES = 64 * 1024;

const name = z.string().trim().min(1).max(200);
const publicKeyPem = z.string().max(4096)
  .regex(/^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\r?\n?$/, 'expected an SPKI public key in PEM');
const epochMs = z.number().int().positive();

export const satelliteRegistrationSchema = z.object({
  format: z.literal(REGISTRATION_FORMAT),
  version: z.literal(REGISTRATION_VERSION),
  satellite_id: z.uuid(),
  satellite_name: name,
  upstream_id: z.string().min(1).max(128),
  upstream_url: z.url({ protocol: /^https?$/ }).nullable().default(null),
  upstream_public_key: publicKeyPem,
  accounts: z.array(z.object({
    account: name,
    virtual_accounts: z.array(name).min(1).max(1000)
      .refine((vas) => new Set(vas).size === vas.length, 'duplicate virtual account names'),
  })).min(1).max(100)
    .refine((accounts) => new Set(accounts.map((a) => a.account)).size === accounts.length, 'duplicate account names'),
  credential_expires_at: epochMs,
  issued_at: epochMs,
}).refine((r) => r.credential_expires_at > r.issued_at, { message: 'credential_expires_at must be after issued_at', path: ['credential_expires_at'] });

export type SatelliteRegistration = z.output<typeof satelliteRegistrationSchema>;

export const registrationFileSchema = z.object({
  payload: z.string().min(2),
  signature: z.object({
    alg: z.literal('ES256'),
    key_fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
    value: z.string().min(1).max(200).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64'),
  }),
});

export type RegistrationFileErrorCode = 'MALFORMED' | 'SIGNATURE_INVALID' | 'FINGERPRINT_MISMATCH';

/** Why a registration file was refused; sync/ turns it into a domain error. */
export class RegistrationFileError extends Error {
  readonly code: RegistrationFileErrorCode;

  constructor(code: RegistrationFileErrorCode, message: string) {
    super(message);
    this.name = 'RegistrationFileError';
    this.code = code;
  }
}

export interface VerifiedRegistration {
  registration: SatelliteRegistration;
  /** SHA-256 of the upstream key that signed the file, lowercase hex. */
  fingerprint: string;
}

/** The file's text: the registration as compact JSON, signed with the upstream's P-256 key (ES256, DER). */
export function encodeRegistrationFile(registration: SatelliteRegistration, privateKey: KeyObject): string {
  const checked = satelliteRegistrationSchema.parse(registration);
  const publicKey = createPublicKey(privateKey);
  if (publicKeyFingerprint(publicKey) !== publicKeyFingerprint(checked.upstream_public_key)) {
    throw new Error('the registration names another key than the one signing it');
  }
  const payload = JSON.stringify(checked);
  const value = sign('sha256', Buffer.from(payload, 'utf8'), privateKey).toString('base64');
  return `${JSON.stringify({ payload, signature: { alg: 'ES256', key_fingerprint: publicKeyFingerprint(publicKey), value } }, null, 2)}\n`;
}

/**
 * Reads and verifies a registration file: the envelope, then the signature over the exact payload bytes with
 * the P-256 key the payload names, then the registration schema. `pinnedFingerprint`, when given, must be that
 * key's fingerprint. Throws RegistrationFileError naming the first problem.
 */
export function decodeRegistrationFile(text: string, pinnedFingerprint?: string): VerifiedRegistration {
  if (Buffer.byteLength(text, 'utf8') > MAX_REGISTRATION_FILE_BYTES) {
    throw new RegistrationFileError('MALFORMED', `a registration file is at most ${MAX_REGISTRATION_FILE_BYTES} bytes`);
  }
  const envelope = registrationFileSchema.safeParse(parseJson(text, 'the file'));
  if (!envelope.success) throw new RegistrationFileError('MALFORMED', `not a registration file: ${formatZodIssues(envelope.error)}`);
  const { payload, signature } = envelope.data;
  const keyText = z.object({ upstream_public_key: publicKeyPem }).safeParse(parseJson(payload, 'payload'));
  if (!keyText.success) throw new RegistrationFileError('MALFORMED', `registration payload: ${formatZodIssues(keyText.error)}`);
  const key = importUpstreamKey(keyText.data.upstream_public_key);
  const fingerprint = publicKeyFingerprint(key);
  if (fingerprint !== signature.key_fingerprint) {
    throw new RegistrationFileError('SIGNATURE_INVALID', 'the signature names another key than the one in the registration');
  }
  if (!verifySignature(payload, signature.value, key)) {
    throw new RegistrationFileError('SIGNATURE_INVALID', 'the registration signature does not verify: the file was changed or damaged after the upstream signed it');
  }
  if (pinnedFingerprint !== undefined && pinnedFingerprint !== fingerprint) {
    throw new RegistrationFileError('FINGERPRINT_MISMATCH', `the upstream key's fingerprint is ${fingerprint}, not the expected ${pinnedFingerprint}`);
  }
  const registration = satelliteRegistrationSchema.safeParse(JSON.parse(payload));
  if (!registration.success) throw new RegistrationFileError('MALFORMED', `registration payload: ${formatZodIssues(registration.error)}`);
  return { registration: registration.data, fingerprint };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RegistrationFileError('MALFORMED', `${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Only P-256 is accepted: the same curve signs the sync bundles (docs/sync-format.md). */
function importUpstreamKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new RegistrationFileError('MALFORMED', 'upstream_public_key is not a readable public key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new RegistrationFileError('MALFORMED', 'upstream_public_key must be an EC P-256 key');
  }
  return key;
}

function verifySignature(payload: string, base64: string, key: KeyObject): boolean {
  try {
    return verify('sha256', Buffer.from(payload, 'utf8'), key, Buffer.from(base64, 'base64'));
  } catch {
    return false;
  }
}
