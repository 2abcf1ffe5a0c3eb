import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, it } from 'vitest';
import { ResponseVerificationError, verifyResponse, type ExpectedReply } from '../../../agent/index.js';
import { createTestPki, issue, signedEnvelope, type TestPki } from './test-pki.js';

const NOW = Date.UTC(2026, 0, 15);
const messageId = randomUUID();
const nonce = 'abcdefghijklmnopqrstuvwx';
const authorizeReply: ExpectedReply<'AUTHORIZE'> = { type: 'AUTHORIZE', messageId, nonce };

function message(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '1.0', type: 'AUTHORIZE_RESPONSE', in_reply_to: messageId, nonce, timestamp: NOW,
    product_instance_id: randomUUID(), status: 'OK', error: null,
    body: {
      authorization: {
        status: 'AUTHORIZED', authorized_at: NOW, expires_at: NOW + 1, next_renewal_at: NOW + 1,
        entitlements: [{ tag: 'regid.x', requested: 3, status: 'AUTHORIZED', display_name: 'X', description: null }],
      },
    },
    ...overrides,
  };
}

function identityMessage(pki: TestPki, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return message({
    type: 'REGISTER_RESPONSE',
    body: {
      id_certificate: pki.signing.pem, certificate_chain: pki.chain,
      registration: { status: 'REGISTERED', registered_at: NOW, expires_at: NOW + 1, next_renewal_at: NOW + 1 },
      smart_account: 'SA', virtual_account: 'VA', export_control: 'ALLOWED',
    },
    ...overrides,
  });
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ResponseVerificationError, `expected ResponseVerificationError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('verifyResponse', () => {
  let pki: TestPki;
  let other: TestPki;
  beforeAll(async () => {
    pki = await createTestPki('Satellite A');
    other = await createTestPki('Satellite B');
  });
  const trusted = () => ({ rootPem: pki.root.pem, storedChain: pki.chain });

  it('accepts a response signed by the stored signing certificate and types its body', async () => {
    const verified = await verifyResponse(signedEnvelope(pki, message()), authorizeReply, trusted());
    assert.equal(verified.signatureVerified, true);
    assert.equal(verified.message.status, 'OK');
    if (verified.message.status === 'OK') assert.equal(verified.message.body.authorization.entitlements[0]?.requested, 3);
  });

  it('compares key_id without case or leading zeros', async () => {
    const envelope = signedEnvelope(pki, message(), { keyId: `000${pki.signingKeyId.toUpperCase()}` });
    assert.equal((await verifyResponse(envelope, authorizeReply, trusted())).signatureVerified, true);
  });

  it('rejects a tampered payload', async () => {
    const envelope = JSON.parse(signedEnvelope(pki, message())) as { payload: string };
    envelope.payload = envelope.payload.replace('"requested":3', '"requested":4');
    await rejects(verifyResponse(JSON.stringify(envelope), authorizeReply, trusted()), /signature does not verify/);
  });

  it('rejects a response signed by a different key under the same key_id', async () => {
    const envelope = signedEnvelope(pki, message(), { key: other.signingKey });
    await rejects(verifyResponse(envelope, authorizeReply, trusted()), /signature does not verify/);
  });

  it('rejects a key_id that is not the signing certificate serial', async () => {
    await rejects(verifyResponse(signedEnvelope(pki, message(), { keyId: 'beef' }), authorizeReply, trusted()), /signed by key beef/);
  });

  it('rejects an unsigned response and a non-envelope', async () => {
    const unsigned = JSON.stringify({ payload: JSON.stringify(message()), signature: null });
    await rejects(verifyResponse(unsigned, authorizeReply, trusted()), /not signed/);
    await rejects(verifyResponse('<html>oops</html>', authorizeReply, trusted()), /not JSON/);
  });

  it('rejects a stored signing certificate that does not chain to the pinned root', async () => {
    const foreign = await issue(other.root, 'Impostor Signing', { serialNumber: '00c0ffee0123', ca: true });
    await rejects(
      verifyResponse(signedEnvelope(pki, message()), authorizeReply, { rootPem: pki.root.pem, storedChain: [foreign.pem] }),
      /is not signed by/,
    );
  });

  it('trusts the chain of the first REGISTER response and returns it to be stored', async () => {
    const expected: ExpectedReply<'REGISTER'> = { type: 'REGISTER', messageId, nonce };
    const verified = await verifyResponse(signedEnvelope(pki, identityMessage(pki)), expected, { rootPem: null, storedChain: null });
    assert.deepEqual(verified.chain, pki.chain);
  });

  it('refuses a REGISTER response from a satellite whose root is not the pinned one', async () => {
    const expected: ExpectedReply<'REGISTER'> = { type: 'REGISTER', messageId, nonce };
    const envelope = signedEnvelope(other, identityMessage(other));
    await rejects(verifyResponse(envelope, expected, { rootPem: pki.root.pem, storedChain: null }), /not the trusted root/);
  });

  it('refuses a carried chain whose signing certificate is not under its root', async () => {
    const expected: ExpectedReply<'REGISTER'> = { type: 'REGISTER', messageId, nonce };
    const mixed = identityMessage(pki, {});
    (mixed.body as Record<string, unknown>).certificate_chain = [pki.signing.pem, other.root.pem];
    await rejects(verifyResponse(signedEnvelope(pki, mixed), expected, { rootPem: null, storedChain: null }), /is not signed by/);
  });

  it('returns an unverifiable FAILED REGISTER answer when no satellite is known yet', async () => {
    const expected: ExpectedReply<'REGISTER'> = { type: 'REGISTER', messageId, nonce };
    const failed = message({ type: 'REGISTER_RESPONSE', status: 'FAILED', error: { code: 'TOKEN_INVALID', message: 'no' }, body: {} });
    const verified = await verifyResponse(signedEnvelope(pki, failed), expected, { rootPem: null, storedChain: null });
    assert.equal(verified.signatureVerified, false);
    assert.equal(verified.message.error?.code, 'TOKEN_INVALID');
    await rejects(verifyResponse(signedEnvelope(pki, message()), authorizeReply, { rootPem: null, storedChain: null }), /No satellite certificate chain/);
  });

  it('verifies a FAILED answer with the stored chain', async () => {
    const failed = message({ status: 'FAILED', error: { code: 'CERT_REVOKED', message: 'revoked' }, body: {} });
    const verified = await verifyResponse(signedEnvelope(pki, failed), authorizeReply, trusted());
    assert.equal(verified.signatureVerified, true);
    assert.deepEqual(verified.message.body, {});
    await rejects(verifyResponse(signedEnvelope(other, failed), authorizeReply, trusted()), /signature does not verify/);
  });

  it('rejects an answer to another message or with another nonce', async () => {
    await rejects(verifyResponse(signedEnvelope(pki, message({ in_reply_to: randomUUID() })), authorizeReply, trusted()), /answers message/);
    await rejects(verifyResponse(signedEnvelope(pki, message({ nonce: 'zzzzzzzzzzzzzzzzzzzzzzzz' })), authorizeReply, trusted()), /nonce/);
    await rejects(verifyResponse(signedEnvelope(pki, message({ in_reply_to: null })), authorizeReply, trusted()), /answers message null/);
  });

  it('rejects a response of the wrong type or shape', async () => {
    await rejects(verifyResponse(signedEnvelope(pki, message({ type: 'DEREGISTER_RESPONSE' })), authorizeReply, trusted()), /DEREGISTER_RESPONSE where AUTHORIZE_RESPONSE/);
    await rejects(verifyResponse(signedEnvelope(pki, message({ body: { authorization: {} } })), authorizeReply, trusted()), /not a valid protocol message/);
  });
});
