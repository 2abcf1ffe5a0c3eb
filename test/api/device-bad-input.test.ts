import assert from 'node:assert/strict';
import { randomBytes, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';
import { buildMessage, envelope, type TestKey } from '../support/test-device.js';
import { assertFailed, assertStillServes, registerRequest, roomyPool, snapshot, storedResponseCount } from '../support/device-probe.js';

type Message = Record<string, unknown> & { sender: Record<string, unknown>; body: Record<string, unknown> };

function signWith(key: TestKey, payload: string): string {
  return sign('sha256', Buffer.from(payload, 'utf8'), key.privateKey).toString('base64');
}

function rawEnvelope(payload: string, signature: unknown): string {
  return JSON.stringify({ payload, signature });
}

describe('bad input on the JSON transport', () => {
  let f: Fixture;
  let device: Device;
  let other: Device;
  beforeAll(async () => {
    f = await labSatellite();
    roomyPool(f);
    [device, other] = [await registerDevice(f), await registerDevice(f)];
  });
  afterAll(() => f.app.close());

  function authorizeMessage(count: unknown = 2): Message {
    const message = buildMessage({
      type: 'AUTHORIZE', udi: device.udi, productInstanceId: device.instanceId, now: f.clock.now(),
      body: { entitlements: [{ tag: TAG_A, count }] },
    });
    return message as Message;
  }

  /** A refusal that must leave everything as it was, after which the satellite still serves. */
  async function refused(envelopeText: string, code: string, field?: RegExp): Promise<void> {
    const state = snapshot(f);
    const stored = storedResponseCount(f);
    assertFailed(await post(f.app, envelopeText), code, field);
    assert.deepEqual(snapshot(f), state);
    assert.equal(storedResponseCount(f), stored, 'an unauthenticated refusal stores nothing');
    await assertStillServes(f, device);
  }

  async function httpError(send: () => Promise<request.Response>, status: number, code: string): Promise<void> {
    const state = snapshot(f);
    const res = await send();
    assert.equal(res.status, status, res.text);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
    assert.equal(body.error?.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(body.error.requestId, res.headers['x-request-id']);
    assert.match(String(body.error.requestId), /^[0-9a-f-]{36}$/);
    assert.deepEqual(snapshot(f), state);
    await assertStillServes(f, device);
  }

  const postJson = (text: string | Buffer, type: string | null = 'application/json') => () => {
    const req = request(f.app).post(DEVICE_TRANSPORT_PATHS.json);
    return type === null ? req.send(Buffer.from(text)) : req.set('content-type', type).send(text);
  };

  describe('unreadable envelopes get an HTTP error with a JSON body', () => {
    it('answers malformed JSON with 400', async () => {
      await httpError(postJson('{"payload": "{\\"version'), 400, 'VALIDATION_FAILED');
    });

    const envelopes: Array<[string, string]> = [
      ['a payload that is a number', '{"payload": 5, "signature": null}'],
      ['a missing payload', '{"signature": null}'],
      ['an array', '[]'],
      ['a bare string', '"hello"'],
      ['a signature that is a string', JSON.stringify({ payload: '{}', signature: 'c2ln' })],
      ['an unknown signature alg', JSON.stringify({ payload: '{}', signature: { alg: 'HS256', key_id: 'ab', value: 'AA==' } })],
      ['a key_id that is not hex', JSON.stringify({ payload: '{}', signature: { alg: 'ES256', key_id: 'zz-top', value: 'AA==' } })],
    ];
    for (const [name, text] of envelopes) {
      it(`answers an envelope with ${name} with 400`, async () => {
        await httpError(postJson(text), 400, 'VALIDATION_FAILED');
      });
    }

    it('answers a body over 64 KiB with 413', async () => {
      const big = rawEnvelope(JSON.stringify({ pad: 'x'.repeat(65 * 1024) }), null);
      await httpError(postJson(big), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers a wrong or missing content type with 415', async () => {
      const valid = signedRequest(f, device, 'AUTHORIZE', { entitlements: [] });
      await httpError(postJson(valid, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      await httpError(postJson(valid, null), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers GET on the transport with a JSON 404', async () => {
      await httpError(() => request(f.app).get(DEVICE_TRANSPORT_PATHS.json), 404, 'NOT_FOUND');
    });
  });

  describe('unreadable messages get a signed FAILED answer', () => {
    it('refuses a payload that is not JSON with MALFORMED_MESSAGE', async () => {
      const res = await post(f.app, envelope('{"version": "1.0", "type": '));
      assertFailed(res, 'MALFORMED_MESSAGE', /payload/);
      assert.equal(res.message?.type, 'ERROR_RESPONSE');
      await assertStillServes(f, device);
    });

    const cases: Array<[string, (m: Message) => void, RegExp]> = [
      ['a negative count', (m) => { m.body.entitlements = [{ tag: TAG_A, count: -1 }]; }, /body\.entitlements\.0\.count/],
      ['a count given as a string', (m) => { m.body.entitlements = [{ tag: TAG_A, count: '3' }]; }, /body\.entitlements\.0\.count/],
      ['a fractional count', (m) => { m.body.entitlements = [{ tag: TAG_A, count: 1.5 }]; }, /body\.entitlements\.0\.count/],
      ['two bad entitlements', (m) => { m.body.entitlements = [{ tag: TAG_A, count: '3' }, { tag: TAG_A, count: -1 }]; },
        /body\.entitlements\.0\.count.*; body\.entitlements\.1\.count/],
      ['missing entitlements', (m) => { delete m.body.entitlements; }, /body\.entitlements/],
      ['a message_id that is not a uuid', (m) => { m.message_id = 'not-a-uuid'; }, /message_id/],
      ['a nonce that is too short', (m) => { m.nonce = 'abc'; }, /nonce/],
      ['a nonce with forbidden characters', (m) => { m.nonce = 'abcdefgh ijklmnop!'; }, /nonce/],
      ['a timestamp given as a string', (m) => { m.timestamp = String(m.timestamp); }, /timestamp/],
      ['an unknown message type', (m) => { m.type = 'ACTIVATE'; }, /type/],
      ['a missing sudi', (m) => { delete m.sender.sudi; }, /sender\.sudi/],
      ['a sudi without serial number', (m) => { m.sender.sudi = { udi_pid: 'C9300-24UX' }; }, /sender\.sudi\.udi_serial_number/],
      ['a missing product_instance_id', (m) => { delete m.sender.product_instance_id; }, /product_instance_id/],
    ];
    for (const [name, mutate, field] of cases) {
      it(`refuses an AUTHORIZE with ${name} with MALFORMED_MESSAGE naming the field`, async () => {
        const message = authorizeMessage();
        mutate(message);
        await refused(envelope(message, { key: device.key, keyId: device.keyId }), 'MALFORMED_MESSAGE', field);
      });
    }

    it('refuses a REGISTER without sudi with MALFORMED_MESSAGE and consumes no token use', async () => {
      const req = await registerRequest(f);
      const parsed = JSON.parse(req.text) as { payload: string };
      const message = JSON.parse(parsed.payload) as Message;
      delete message.sender.sudi;
      await refused(envelope(message), 'MALFORMED_MESSAGE', /sender\.sudi/);
    });

    it('answers version 2.0 with VERSION_TOO_HIGH and version 0.9 with UNSUPPORTED_VERSION', async () => {
      for (const [version, status, code] of [['2.0', 'VERSION_TOO_HIGH', 'UNSUPPORTED_VERSION'], ['0.9', 'FAILED', 'UNSUPPORTED_VERSION']] as const) {
        const message = authorizeMessage();
        message.version = version;
        const state = snapshot(f);
        const res = await post(f.app, envelope(message, { key: device.key, keyId: device.keyId }));
        assert.equal(res.message?.status, status, res.text);
        assert.equal(res.message.error?.code, code);
        assert.equal(res.message.in_reply_to, message.message_id);
        assert.deepEqual(snapshot(f), state);
      }
      await assertStillServes(f, device);
    });
  });

  describe('signatures and identities', () => {
    it('refuses a signature value that is not base64 with SIGNATURE_INVALID', async () => {
      const payload = JSON.stringify(authorizeMessage());
      await refused(rawEnvelope(payload, { alg: 'ES256', key_id: device.keyId, value: '!!not*base64!!' }), 'SIGNATURE_INVALID');
      await refused(rawEnvelope(payload, { alg: 'ES256', key_id: device.keyId, value: `${signWith(device.key, payload)}A` }), 'SIGNATURE_INVALID');
    });

    it('refuses a signature with a flipped byte with SIGNATURE_INVALID', async () => {
      const payload = JSON.stringify(authorizeMessage());
      const bytes = Buffer.from(signWith(device.key, payload), 'base64');
      const middle = Math.floor(bytes.length / 2);
      bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x40, middle);
      await refused(rawEnvelope(payload, { alg: 'ES256', key_id: device.keyId, value: bytes.toString('base64') }), 'SIGNATURE_INVALID');
    });

    it('refuses a payload modified after signing with SIGNATURE_INVALID', async () => {
      const payload = JSON.stringify(authorizeMessage(1));
      const value = signWith(device.key, payload);
      const tampered = payload.replace('"count":1', '"count":9');
      assert.notEqual(tampered, payload);
      await refused(rawEnvelope(tampered, { alg: 'ES256', key_id: device.keyId, value }), 'SIGNATURE_INVALID');
    });

    it('refuses a forged key_id with SIGNATURE_INVALID', async () => {
      const payload = JSON.stringify(authorizeMessage());
      // Own key, another device's certificate serial.
      await refused(rawEnvelope(payload, { alg: 'ES256', key_id: other.keyId, value: signWith(device.key, payload) }), 'SIGNATURE_INVALID');
      // Another registered device signing properly with its own certificate while claiming this instance.
      await refused(rawEnvelope(payload, { alg: 'ES256', key_id: other.keyId, value: signWith(other.key, payload) }), 'SIGNATURE_INVALID');
      // A serial no certificate has.
      await refused(rawEnvelope(payload, { alg: 'ES256', key_id: randomBytes(16).toString('hex'), value: signWith(device.key, payload) }), 'SIGNATURE_INVALID');
      // The right serial with the wrong algorithm.
      await refused(rawEnvelope(payload, { alg: 'RS256', key_id: device.keyId, value: signWith(device.key, payload) }), 'SIGNATURE_INVALID');
    });

    it('accepts a key_id in upper case and with leading zeros', async () => {
      const res = await post(f.app, envelope(authorizeMessage(1), { key: device.key, keyId: `00${device.keyId.toUpperCase()}` }));
      assert.equal(res.message?.status, 'OK', res.text);
    });

    it('refuses an unsigned AUTHORIZE with SIGNATURE_INVALID', async () => {
      await refused(envelope(authorizeMessage()), 'SIGNATURE_INVALID');
    });

    it('refuses an unknown product instance id with UNKNOWN_PRODUCT_INSTANCE', async () => {
      const message = { ...authorizeMessage(), sender: { ...authorizeMessage().sender, product_instance_id: randomUUID() } };
      await refused(envelope(message, { key: device.key, keyId: device.keyId }), 'UNKNOWN_PRODUCT_INSTANCE');
    });

    it('registers and authorizes an RS256 (RSA-2048) device', async () => {
      const rsa = await registerDevice(f, { alg: 'RS256' });
      const row = f.app.satellite.uow.read((r) => r.certificates.findBySerial(rsa.keyId));
      assert.equal(row?.keyAlgorithm, 'RS256');
      await assertStillServes(f, rsa);
      const payload = JSON.stringify(buildMessage({
        type: 'AUTHORIZE', udi: rsa.udi, productInstanceId: rsa.instanceId, now: f.clock.now(), body: { entitlements: [] },
      }));
      await refused(rawEnvelope(payload, { alg: 'ES256', key_id: rsa.keyId, value: signWith(rsa.key, payload) }), 'SIGNATURE_INVALID');
    });
  });
});
