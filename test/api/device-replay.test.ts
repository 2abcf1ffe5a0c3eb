import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MS_PER_HOUR } from '../../licensing/shared/clock.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';
import {
  assertFailed, assertStillServes, countRows, deviceFrom, registeredInstanceOf, registerRequest, roomyPool, snapshot, storedResponseCount,
} from '../support/device-probe.js';

const SKEW = 24 * MS_PER_HOUR;

function authorize(f: Fixture, device: Device, count: number, extra: { messageId?: string; nonce?: string; now?: number } = {}): string {
  return signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count }] }, extra);
}

describe('replay protection and idempotent retries (DESIGN §4.3)', () => {
  let f: Fixture;
  let witness: Device;
  beforeAll(async () => {
    f = await labSatellite();
    roomyPool(f);
    witness = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  it('refuses a nonce used twice by one product instance with REPLAY_DETECTED, without acting', async () => {
    const device = await registerDevice(f);
    const nonce = randomBytes(18).toString('base64url');
    const first = await post(f.app, authorize(f, device, 3, { nonce }));
    assert.equal(first.message?.status, 'OK');
    const usage = snapshot(f);
    const replay = await post(f.app, authorize(f, device, 5, { nonce }));
    assertFailed(replay, 'REPLAY_DETECTED');
    assert.deepEqual(snapshot(f), usage);
    await assertStillServes(f, device);
  });

  it('accepts the same nonce from two different product instances', async () => {
    const [a, b] = [await registerDevice(f), await registerDevice(f)];
    const nonce = randomBytes(18).toString('base64url');
    assert.equal((await post(f.app, authorize(f, a, 1, { nonce }))).message?.status, 'OK');
    assert.equal((await post(f.app, authorize(f, b, 1, { nonce }))).message?.status, 'OK');
  });

  it('refuses a REGISTER reusing a nonce for the same UDI with REPLAY_DETECTED', async () => {
    const nonce = randomBytes(18).toString('base64url');
    const first = await registerRequest(f, { nonce });
    const device = deviceFrom((await post(f.app, first.text)).message, first);
    const state = snapshot(f);
    const again = await registerRequest(f, { udi: device.udi, nonce, force: true });
    assertFailed(await post(f.app, again.text), 'REPLAY_DETECTED');
    assert.deepEqual(snapshot(f), state);
    await assertStillServes(f, device);
  });

  for (const [direction, offset] of [['behind', -(SKEW + 1)], ['ahead of', SKEW + 1]] as const) {
    it(`refuses a timestamp more than 24 h ${direction} the satellite clock with CLOCK_SKEW`, async () => {
      const device = await registerDevice(f);
      const state = snapshot(f);
      const res = await post(f.app, authorize(f, device, 2, { now: f.clock.now() + offset }));
      assertFailed(res, 'CLOCK_SKEW');
      assert.deepEqual(snapshot(f), state);
      const reg = await registerRequest(f, { now: f.clock.now() + offset });
      assertFailed(await post(f.app, reg.text), 'CLOCK_SKEW');
      assert.deepEqual(snapshot(f), state, 'a skewed REGISTER consumes no token use');
      await assertStillServes(f, device);
    });
  }

  it('accepts a timestamp exactly 24 h away', async () => {
    const device = await registerDevice(f);
    assert.equal((await post(f.app, authorize(f, device, 1, { now: f.clock.now() - SKEW }))).message?.status, 'OK');
    assert.equal((await post(f.app, authorize(f, device, 1, { now: f.clock.now() + SKEW }))).message?.status, 'OK');
  });

  it('answers a retried AUTHORIZE with the byte-identical stored response without acting twice', async () => {
    const device = await registerDevice(f);
    const messageId = randomUUID();
    const request = authorize(f, device, 2, { messageId });
    const first = await post(f.app, request);
    assert.equal(first.message?.status, 'OK');
    const afterFirst = snapshot(f);
    f.clock.advance(60_000);

    const retry = await post(f.app, request);
    assert.equal(retry.text, first.text);
    assert.deepEqual(snapshot(f), afterFirst);

    // A newer report replaces the usage; replaying the old one must not bring the old count back. Only the
    // latest answer is kept (migration 0016), so the old message is refused by its nonce.
    assert.equal((await post(f.app, authorize(f, device, 5))).message?.status, 'OK');
    const afterNewer = snapshot(f);
    assert.equal(afterNewer.usageA.authorized, afterFirst.usageA.authorized + 3);
    assertFailed(await post(f.app, request), 'REPLAY_DETECTED');
    assert.deepEqual(snapshot(f), afterNewer);
  });

  it('keeps one bounded record per instance: its last answer and last 8 nonces, nothing per message', async () => {
    const device = await registerDevice(f);
    const stored = storedResponseCount(f);
    const requests: string[] = [];
    let lastAnswer = '';
    for (let i = 0; i < 20; i += 1) {
      f.clock.advance(1_000);
      requests.push(authorize(f, device, 1 + (i % 3)));
      const answer = await post(f.app, requests.at(-1) ?? '');
      assert.equal(answer.message?.status, 'OK');
      lastAnswer = answer.text;
    }
    const row = f.app.satellite.db.prepare('SELECT nonces, messages_answered FROM instance_replay WHERE instance_id = ?')
      .get(device.instanceId) as { nonces: string; messages_answered: number };
    assert.equal((JSON.parse(row.nonces) as unknown[]).length, 8);
    assert.equal(row.messages_answered, 20);
    assert.equal(storedResponseCount(f), stored, 'no device_messages row per signed message');
    const state = snapshot(f);
    // The first message's nonce was forgotten long ago: its timestamp, at or before the watermark, refuses it.
    const old = await post(f.app, requests[0] ?? '');
    assertFailed(old, 'REPLAY_DETECTED');
    assert.match(old.message?.error?.message ?? '', /no longer keeps/);
    assertFailed(await post(f.app, requests[15] ?? ''), 'REPLAY_DETECTED');
    assert.deepEqual(snapshot(f), state);
    assert.equal((await post(f.app, requests[19] ?? '')).text, lastAnswer, 'the latest message is answered again, byte for byte');
    assert.deepEqual(snapshot(f), state);
    await assertStillServes(f, device);
  });

  it('accepts many messages from one device at the same instant (a fixed test clock)', async () => {
    const device = await registerDevice(f);
    for (let i = 0; i < 30; i += 1) assert.equal((await post(f.app, authorize(f, device, 1))).message?.status, 'OK');
  });

  it('refuses a message dated before the nonces it forgot, then serves the current time', async () => {
    const device = await registerDevice(f);
    for (let i = 0; i < 10; i += 1) {
      f.clock.advance(60_000);
      assert.equal((await post(f.app, authorize(f, device, 1))).message?.status, 'OK');
    }
    const state = snapshot(f);
    const back = await post(f.app, authorize(f, device, 1, { now: f.clock.now() - 9 * 60_000 }));
    assertFailed(back, 'REPLAY_DETECTED');
    assert.match(back.message?.error?.message ?? '', /current time/);
    assert.deepEqual(snapshot(f), state);
    assert.equal((await post(f.app, authorize(f, device, 1))).message?.status, 'OK');
  });

  it('still answers a signed message stored by message_id before migration 0016', async () => {
    const device = await registerDevice(f);
    const request = authorize(f, device, 2);
    const payload = (JSON.parse(request) as { payload: string }).payload;
    const messageId = (JSON.parse(payload) as { message_id: string }).message_id;
    // Any answer the satellite signed stands in for the one an older version stored.
    const legacy = (await post(f.app, authorize(f, device, 1))).text;
    f.app.satellite.uow.write((r) => r.deviceMessages.saveResponse({
      messageId, requestDigest: createHash('sha256').update(payload, 'utf8').digest('hex'), response: legacy, createdAt: f.clock.now(),
    }));
    const state = snapshot(f);
    assert.equal((await post(f.app, request)).text, legacy);
    assert.deepEqual(snapshot(f), state);
  });

  it('answers a retried REGISTER with the same certificate and consumes the token once', async () => {
    const seeded = f.app.seed.token('Acme', 'Lab', { maxUses: 5 });
    const req = await registerRequest(f, { token: seeded.secret });
    const first = await post(f.app, req.text);
    const device = deviceFrom(first.message, req);
    const state = snapshot(f, seeded.token.id);
    assert.equal(state.tokenUses, 1);

    const retry = await post(f.app, req.text);
    assert.equal(retry.text, first.text);
    assert.equal(retry.message?.body.id_certificate, device.certificatePem);
    assert.deepEqual(snapshot(f, seeded.token.id), state);
    assert.equal(registeredInstanceOf(f, req.udi), device.instanceId);
    await assertStillServes(f, device);
  });

  it('remembers a refusal for a token that exists (revoked) so a retry gets the same answer', async () => {
    const seeded = f.app.seed.token('Acme', 'Lab', { maxUses: 5 });
    f.app.satellite.tokens.revoke(seeded.token.id);
    const req = await registerRequest(f, { token: seeded.secret });
    const first = await post(f.app, req.text);
    assertFailed(first, 'TOKEN_REVOKED');
    assert.equal((await post(f.app, req.text)).text, first.text);
  });

  it('stores nothing for a REGISTER with an unknown token: no device_messages row, no nonce', async () => {
    const rows = () => ({ messages: storedResponseCount(f), nonces: countRows(f, 'device_nonces') });
    const before = rows();
    for (let i = 0; i < 5; i += 1) {
      const req = await registerRequest(f, { token: randomBytes(48).toString('base64url') });
      assertFailed(await post(f.app, req.text), 'TOKEN_INVALID');
      assertFailed(await post(f.app, req.text), 'TOKEN_INVALID');
    }
    assert.deepEqual(rows(), before);
  });

  it('refuses a reused message_id carrying a different AUTHORIZE with REPLAY_DETECTED', async () => {
    const device = await registerDevice(f);
    const messageId = randomUUID();
    assert.equal((await post(f.app, authorize(f, device, 2, { messageId }))).message?.status, 'OK');
    const state = snapshot(f);
    const stored = storedResponseCount(f);
    const res = await post(f.app, authorize(f, device, 7, { messageId }));
    assertFailed(res, 'REPLAY_DETECTED');
    assert.deepEqual(snapshot(f), state);
    assert.equal(storedResponseCount(f), stored);
    await assertStillServes(f, device);
  });

  it('refuses a reused message_id carrying a different REGISTER with REPLAY_DETECTED', async () => {
    const first = await registerRequest(f);
    deviceFrom((await post(f.app, first.text)).message, first);
    const state = snapshot(f);
    const other = await registerRequest(f, { messageId: first.messageId });
    assertFailed(await post(f.app, other.text), 'REPLAY_DETECTED');
    assert.deepEqual(snapshot(f), state);
    assert.equal(registeredInstanceOf(f, other.udi), undefined);
    await assertStillServes(f, witness);
  });
});
