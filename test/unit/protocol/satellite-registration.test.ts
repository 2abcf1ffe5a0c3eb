import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'vitest';
import { normalizeFingerprint, publicKeyFingerprint } from '../../../protocol/key-fingerprint.js';
import { decodeRegistrationFile, encodeRegistrationFile, type SatelliteRegistration } from '../../../protocol/satellite-registration.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = (k: typeof keys) => k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const registration: SatelliteRegistration = {
  format: 'satellite-registration', version: 1, satellite_id: '0b7d8c1e-4b1f-4c55-9a55-3e2f0a1b2c3d', satellite_name: 'Site A',
  upstream_id: 'upstream-1', upstream_url: null, upstream_public_key: pem(keys),
  accounts: [{ account: 'Acme Corp', virtual_accounts: ['Default', 'Lab'] }], credential_expires_at: 2_000_000_000_000, issued_at: 1_900_000_000_000,
};

describe('satellite registration file', () => {
  it('verifies with the key inside it and reports that key\'s SHA-256 fingerprint', () => {
    const file = encodeRegistrationFile(registration, keys.privateKey);
    const verified = decodeRegistrationFile(file);
    assert.deepEqual(verified.registration, registration);
    assert.equal(verified.fingerprint, publicKeyFingerprint(keys.publicKey));
    assert.equal(decodeRegistrationFile(file, verified.fingerprint).fingerprint, verified.fingerprint);
  });

  it('fails after any one-byte change of the signed payload', () => {
    const file = encodeRegistrationFile(registration, keys.privateKey);
    const envelope = JSON.parse(file) as { payload: string; signature: unknown };
    // Flip one character of each field value in turn; every variant is still valid JSON but no longer verifies.
    for (const needle of ['Site A', 'Default', '2000000000000', 'upstream-1']) {
      const at = envelope.payload.indexOf(needle);
      const changed = `${envelope.payload.slice(0, at)}${needle.startsWith('2') ? '3' : 'X'}${envelope.payload.slice(at + 1)}`;
      assert.throws(() => decodeRegistrationFile(JSON.stringify({ ...envelope, payload: changed })), { code: 'SIGNATURE_INVALID' }, needle);
    }
    const text = file.replace('"Site A', '"Site B');
    assert.notEqual(text, file);
    assert.throws(() => decodeRegistrationFile(text), /does not verify/);
  });

  it('refuses a signature by another key, a pinned fingerprint that differs, and malformed files', () => {
    assert.throws(() => encodeRegistrationFile(registration, other.privateKey), /another key/);
    const file = encodeRegistrationFile(registration, keys.privateKey);
    const envelope = JSON.parse(file) as { payload: string; signature: { value: string } };
    const forged = encodeRegistrationFile({ ...registration, upstream_public_key: pem(other) }, other.privateKey);
    const forgedSignature = (JSON.parse(forged) as { signature: { value: string } }).signature.value;
    assert.throws(() => decodeRegistrationFile(JSON.stringify({ ...envelope, signature: { ...envelope.signature, value: forgedSignature } })), { code: 'SIGNATURE_INVALID' });
    assert.throws(() => decodeRegistrationFile(forged, publicKeyFingerprint(keys.publicKey)), { code: 'FINGERPRINT_MISMATCH' });
    assert.throws(() => decodeRegistrationFile('{"payload": 1}'), { code: 'MALFORMED' });
    assert.throws(() => decodeRegistrationFile('not json'), { code: 'MALFORMED' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPayload = JSON.stringify({ ...registration, upstream_public_key: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    assert.throws(() => decodeRegistrationFile(JSON.stringify({ payload: rsaPayload, signature: { alg: 'ES256', key_fingerprint: 'a'.repeat(64), value: 'AAAA' } })), /must be an EC P-256 key/);
  });

  it('reads fingerprints as either side or openssl prints them', () => {
    const hex = publicKeyFingerprint(keys.publicKey);
    const colons = hex.toUpperCase().match(/../g)?.join(':') ?? '';
    assert.equal(normalizeFingerprint(colons), hex);
    assert.equal(normalizeFingerprint(`SHA256:${hex}`), hex);
    assert.equal(normalizeFingerprint('abc'), null);
  });
});
