import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { describe, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { DeviceKey, buildDeviceRequest, checkEntitlementRequest, newNonce, sealRequest, type DeviceIdentity } from '../../../agent/index.js';
import { parseDeviceCsr } from '../../../licensing/pki/device-csr.js';
import { bodySchemas, requestHeaderSchema } from '../../../protocol/device-message.js';
import { signedEnvelopeSchema } from '../../../protocol/signed-envelope.js';

const NOW = Date.UTC(2026, 0, 15, 8, 0, 0);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const identity: DeviceIdentity = {
  udi: { pid: 'C9300-24UX', serial: 'FCW2134L00C', vid: 'V02', hostIdentifier: null },
  productTag: 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72',
  hostname: 'sw-core-1',
};

describe('buildDeviceRequest', () => {
  it('builds the DESIGN §4.2 shape the satellite schemas accept', () => {
    const request = buildDeviceRequest({
      type: 'AUTHORIZE', identity, productInstanceId: '7d7c2f7e-4a8e-4d54-9a3e-2a1f0c6b1d11',
      body: { entitlements: [{ tag: 'regid.x', count: 2 }] }, now: NOW,
    });
    assert.equal(request.version, '1.0');
    assert.equal(request.type, 'AUTHORIZE');
    assert.match(request.message_id, UUID);
    assert.match(request.nonce, /^[A-Za-z0-9_-]{24}$/);
    assert.equal(request.timestamp, NOW);
    assert.deepEqual(request.sender, {
      sudi: { udi_pid: 'C9300-24UX', udi_serial_number: 'FCW2134L00C', udi_vid: 'V02' },
      product_tag: identity.productTag,
      hostname: 'sw-core-1',
      product_instance_id: '7d7c2f7e-4a8e-4d54-9a3e-2a1f0c6b1d11',
    });
    const header = requestHeaderSchema.parse(JSON.parse(JSON.stringify(request)));
    assert.deepEqual(bodySchemas.AUTHORIZE.parse(header.body), { entitlements: [{ tag: 'regid.x', count: 2 }] });
  });

  it('leaves product_instance_id out of REGISTER and makes fresh ids and nonces', () => {
    const make = () => buildDeviceRequest({ type: 'REGISTER', identity, productInstanceId: null, body: { id_token: 't', csr: 'x'.repeat(64), force: false }, now: NOW });
    const [a, b] = [make(), make()];
    assert.equal('product_instance_id' in a.sender, false);
    assert.notEqual(a.message_id, b.message_id);
    assert.notEqual(a.nonce, b.nonce);
    assert.notEqual(newNonce(), newNonce());
  });

  it('refuses entitlement counts the satellite would refuse', () => {
    assert.throws(() => checkEntitlementRequest({ tag: '', count: 1 }), RangeError);
    assert.throws(() => checkEntitlementRequest({ tag: 't', count: -1 }), RangeError);
    assert.throws(() => checkEntitlementRequest({ tag: 't', count: 1.5 }), RangeError);
    assert.deepEqual(checkEntitlementRequest({ tag: 't', count: 0 }), { tag: 't', count: 0 });
  });
});

describe('sealRequest', () => {
  it('sends REGISTER unsigned with the exact payload text', async () => {
    const key = await DeviceKey.generate();
    const csr = await key.createCsr('FCW2134L00C');
    const request = buildDeviceRequest({ type: 'REGISTER', identity, productInstanceId: null, body: { id_token: 'tok', csr, force: true }, now: NOW });
    const sealed = sealRequest(request, null);
    const envelope = signedEnvelopeSchema.parse(JSON.parse(sealed.envelopeText));
    assert.equal(envelope.signature, null);
    assert.equal(envelope.payload, sealed.payload);
    assert.deepEqual(JSON.parse(envelope.payload), request);
    assert.deepEqual(bodySchemas.REGISTER.parse(request.body), { id_token: 'tok', csr, force: true });
  });

  for (const algorithm of ['ES256', 'RS256'] as const) {
    it(`signs other requests ${algorithm} so the signature verifies with the public key`, async () => {
      const key = await DeviceKey.generate(algorithm);
      const request = buildDeviceRequest({ type: 'DEREGISTER', identity, productInstanceId: '7d7c2f7e-4a8e-4d54-9a3e-2a1f0c6b1d11', body: {}, now: NOW });
      const sealed = sealRequest(request, { key, keyId: '1a2b' });
      const envelope = signedEnvelopeSchema.parse(JSON.parse(sealed.envelopeText));
      assert.ok(envelope.signature !== null);
      assert.equal(envelope.signature.alg, algorithm);
      assert.equal(envelope.signature.key_id, '1a2b');
      const valid = verify('sha256', Buffer.from(envelope.payload, 'utf8'), key.publicKey, Buffer.from(envelope.signature.value, 'base64'));
      assert.equal(valid, true);
      const tampered = envelope.payload.replace('DEREGISTER', 'AUTHORIZE');
      assert.equal(verify('sha256', Buffer.from(tampered, 'utf8'), key.publicKey, Buffer.from(envelope.signature.value, 'base64')), false);
    });
  }
});

describe('DeviceKey', () => {
  for (const algorithm of ['ES256', 'RS256'] as const) {
    it(`makes a ${algorithm} PKCS#10 CSR with CN = serial that verifies`, async () => {
      const key = await DeviceKey.generate(algorithm);
      const pem = await key.createCsr('FCW2134L00C');
      const csr = new x509.Pkcs10CertificateRequest(pem);
      assert.equal((await parseDeviceCsr(pem)).keyAlgorithm, algorithm, 'the satellite accepts the CSR');
      assert.equal(csr.subject, 'CN=FCW2134L00C');
      assert.equal(await csr.verify(), true);
      assert.deepEqual(Buffer.from(csr.publicKey.rawData), key.publicKeyDer());
      const reloaded = DeviceKey.fromPem(key.toPem());
      assert.equal(reloaded.algorithm, algorithm);
      assert.deepEqual(reloaded.publicKeyDer(), key.publicKeyDer());
      assert.match(key.toPem(), /^-----BEGIN PRIVATE KEY-----/);
    });
  }
});
