import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';
import { csrFor, newTestKey } from '../support/test-device.js';
import {
  assertFailed, assertStillServes, deviceFrom, registeredInstanceOf, registerRequest, roomyPool, snapshot, type RegisterOptions,
} from '../support/device-probe.js';

/** DESIGN §4.3: every refused REGISTER is a signed FAILED answer that consumes nothing and creates nothing. */
async function refusedRegister(f: Fixture, witness: Device, options: RegisterOptions, code: string, tokenId?: string): Promise<string> {
  const req = await registerRequest(f, options);
  const beforeState = snapshot(f, tokenId);
  const holder = registeredInstanceOf(f, req.udi);
  const res = await post(f.app, req.text);
  assertFailed(res, code);
  assert.equal(res.message?.product_instance_id, null);
  assert.equal(res.message?.in_reply_to, req.messageId);
  assert.deepEqual(snapshot(f, tokenId), beforeState, 'a refused REGISTER must leave no trace');
  assert.equal(registeredInstanceOf(f, req.udi), holder);
  await assertStillServes(f, witness);
  return res.message?.error?.message ?? '';
}

/** Re-encodes a PEM CSR after flipping a byte of its DER; the last bytes are the signature value. */
function corruptSignature(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const last = der.length - 1;
  der.writeUInt8(der.readUInt8(last) ^ 0x01, last);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

describe('REGISTER refusals', () => {
  let f: Fixture;
  let witness: Device;
  beforeAll(async () => {
    f = await labSatellite();
    roomyPool(f);
    witness = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  it('refuses an unknown token with TOKEN_INVALID', async () => {
    await refusedRegister(f, witness, { token: randomBytes(48).toString('base64url') }, 'TOKEN_INVALID');
  });

  it('refuses a revoked token with TOKEN_REVOKED', async () => {
    const seeded = f.app.seed.token('Acme', 'Lab', { maxUses: 5 });
    f.app.satellite.tokens.revoke(seeded.token.id);
    await refusedRegister(f, witness, { token: seeded.secret }, 'TOKEN_REVOKED', seeded.token.id);
    assert.equal(snapshot(f, seeded.token.id).tokenUses, 0);
  });

  it('refuses a token that reached its max uses with TOKEN_EXHAUSTED', async () => {
    const seeded = f.app.seed.token('Acme', 'Lab', { maxUses: 2 });
    await registerDevice(f, { token: seeded.secret });
    await registerDevice(f, { token: seeded.secret });
    assert.equal(snapshot(f, seeded.token.id).tokenUses, 2);
    await refusedRegister(f, witness, { token: seeded.secret }, 'TOKEN_EXHAUSTED', seeded.token.id);
    assert.equal(snapshot(f, seeded.token.id).tokenUses, 2);
  });

  it('reflects the export-controlled flag of the token in export_control', async () => {
    const restricted = f.app.seed.token('Acme', 'Lab', { exportControlled: false });
    const notAllowed = await registerRequest(f, { token: restricted.secret });
    const refused = await post(f.app, notAllowed.text);
    assert.equal(refused.message?.status, 'OK');
    assert.equal(refused.message.body.export_control, 'NOT_ALLOWED');
    const instanceId = deviceFrom(refused.message, notAllowed).instanceId;
    assert.equal(f.app.satellite.uow.read((r) => r.instances.findById(instanceId))?.exportControlAllowed, false);

    const allowed = await registerRequest(f);
    const granted = await post(f.app, allowed.text);
    assert.equal(granted.message?.body.export_control, 'ALLOWED');
  });

  it('refuses a second REGISTER of the same UDI with ALREADY_REGISTERED and keeps the first identity', async () => {
    const first = await registerDevice(f);
    const message = await refusedRegister(f, witness, { udi: first.udi }, 'ALREADY_REGISTERED');
    assert.match(message, new RegExp(first.instanceId));
    await refusedRegister(f, witness, { udi: first.udi, force: false }, 'ALREADY_REGISTERED');
    assert.equal(registeredInstanceOf(f, first.udi), first.instanceId);
    await assertStillServes(f, first);
  });

  it('re-registers with force: same product instance, old certificate revoked, usage released', async () => {
    const old = await registerDevice(f);
    const usageBefore = snapshot(f).usageA.authorized;
    const auth = await post(f.app, signedRequest(f, old, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 3 }] }));
    assert.equal(auth.message?.status, 'OK');
    assert.equal(snapshot(f).usageA.authorized, usageBefore + 3);
    const usesBefore = snapshot(f).tokenUses;

    const req = await registerRequest(f, { udi: old.udi, force: true });
    const res = await post(f.app, req.text);
    const renewed = deviceFrom(res.message, req);
    assert.equal(renewed.instanceId, old.instanceId);
    assert.notEqual(renewed.keyId, old.keyId);
    assert.equal(snapshot(f).tokenUses, (usesBefore ?? 0) + 1);
    assert.equal(snapshot(f).usageA.authorized, usageBefore, 'the re-registered instance starts with no licenses');
    assert.equal(registeredInstanceOf(f, old.udi), old.instanceId);

    const stale = await post(f.app, signedRequest(f, old, 'AUTHORIZE', { entitlements: [] }));
    assertFailed(stale, 'CERT_REVOKED');
    await assertStillServes(f, renewed);
  });

  it('refuses a CSR whose signature bytes were corrupted with CSR_INVALID', async () => {
    const key = await newTestKey();
    const message = await refusedRegister(f, witness, { key, csr: corruptSignature(await csrFor(key)) }, 'CSR_INVALID');
    assert.match(message, /signature/i);
  });

  it('refuses a CSR signed by another key than the one it carries with CSR_INVALID', async () => {
    const [mine, other] = [await newTestKey(), await newTestKey()];
    const spliced = await csrFor({ ...mine, keys: { publicKey: mine.keys.publicKey, privateKey: other.keys.privateKey } });
    const message = await refusedRegister(f, witness, { key: mine, csr: spliced }, 'CSR_INVALID');
    assert.match(message, /signature does not verify/);
  });

  it('refuses a CSR for an RSA-1024 key with CSR_INVALID naming the size', async () => {
    const key = await newTestKey('RS256', 1024);
    const message = await refusedRegister(f, witness, { key, csr: await csrFor(key) }, 'CSR_INVALID');
    assert.match(message, /1024/);
  });

  it('refuses garbage in place of a CSR with CSR_INVALID', async () => {
    const garbage = `-----BEGIN CERTIFICATE REQUEST-----\n${randomBytes(300).toString('base64')}\n-----END CERTIFICATE REQUEST-----`;
    await refusedRegister(f, witness, { csr: garbage }, 'CSR_INVALID');
    await refusedRegister(f, witness, { csr: 'this is not a certificate signing request at all, just some text'.repeat(2) }, 'CSR_INVALID');
  });
});

describe('REGISTER with an expired token', () => {
  let f: Fixture;
  let witness: Device;
  beforeAll(async () => {
    f = await labSatellite();
    witness = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  it('refuses the token once the clock passes its expiry with TOKEN_EXPIRED', async () => {
    const seeded = f.app.seed.token('Acme', 'Lab', { expiresAfterDays: 1, maxUses: 3 });
    await registerDevice(f, { token: seeded.secret });
    f.clock.advance(MS_PER_DAY + 1);
    const message = await refusedRegister(f, witness, { token: seeded.secret }, 'TOKEN_EXPIRED', seeded.token.id);
    assert.match(message, /expired/);
    assert.equal(snapshot(f, seeded.token.id).tokenUses, 1);
  });
});
