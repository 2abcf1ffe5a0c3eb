import assert from 'node:assert/strict';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import type { Satellite } from '../../server/composition-root.js';
import { defaultHttpOptions } from '../../server/config.js';
import type { SignatureChecker } from '../../server/device/crypto-worker-pool.js';
import { DeviceRequestHandler } from '../../server/device/device-request-handler.js';
import { DeviceTransport } from '../../server/device/device-transport.js';
import { deviceFastPath } from '../../server/http/device-fast-path.js';
import { assertFailed, assertStillServes, roomyPool, snapshot, storedResponseCount } from '../support/device-probe.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';
import { envelope, buildMessage, openEnvelope } from '../support/test-device.js';
import { normalizeSerial as normalizedSerial } from '../../licensing/instances/product-instance.js';

/** Device signatures verified on the crypto worker pool (SATELLITE_CRYPTO_WORKERS), before the write transaction. */
describe('device requests with the crypto worker pool', () => {
  let f: Fixture;
  let device: Device;
  beforeAll(async () => {
    // Key cache 0: every request imports its key in the worker, as a 1M fleet does.
    f = await labSatellite({ deviceCrypto: { workers: 2, keyCacheSize: 0 } });
    roomyPool(f);
    device = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  it('authorizes, answers a retry with the stored answer, and refuses a bad signature', async () => {
    assert.equal(f.app.satellite.signatures.constructor.name, 'CryptoWorkerPool');
    const text = signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 3 }] });
    const first = await post(f.app, text);
    assert.equal(first.message?.status, 'OK', first.text);
    const state = snapshot(f);
    const retry = await post(f.app, text);
    assert.equal(retry.text, first.text);
    assert.deepEqual(snapshot(f), state);
    const other = await registerDevice(f);
    const forged = envelope(buildMessage({
      type: 'AUTHORIZE', udi: device.udi, productInstanceId: device.instanceId, now: f.clock.now(), body: { entitlements: [] },
    }), { key: other.key, keyId: device.keyId });
    assertFailed(await post(f.app, forged), 'SIGNATURE_INVALID');
    await assertStillServes(f, device);
  });

  it('refuses a request whose certificate is revoked while its signature is being checked', async () => {
    const victim = await registerDevice(f);
    const satellite = f.app.satellite;
    // The check itself passes; meanwhile the device is deregistered (its certificate revoked) and committed.
    const racing = checkerThatMeanwhile(satellite, () => {
      satellite.uow.write((repos) => satellite.registration.commitDeregistration(repos, victim.instanceId, f.clock.now(), 'user'));
    });
    const handler = handlerWith(satellite, racing);
    const exchange = await handler.handle(signedRequest(f, victim, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }));
    assert.equal(exchange.kind, 'answered');
    if (exchange.kind !== 'answered') return;
    const { message } = openEnvelope(exchange.envelopeText);
    assert.equal(message.status, 'FAILED', exchange.envelopeText);
    assert.equal(message.error?.code, 'CERT_REVOKED');
  });

  // The write transaction trusts the read before the signature check only while the instance's change stamp
  // (migration 0018) is unchanged; each of these changes it behind the handler's back.
  it('refuses a request whose current certificate alone is revoked meanwhile (no other write to the instance)', async () => {
    const victim = await registerDevice(f);
    const satellite = f.app.satellite;
    const racing = checkerThatMeanwhile(satellite, () => {
      satellite.uow.write((repos) => repos.certificates.revoke(normalizedSerial(victim.keyId), f.clock.now()));
    });
    const exchange = await handlerWith(satellite, racing).handle(signedRequest(f, victim, 'AUTHORIZE', { entitlements: [] }));
    assert.equal(exchange.kind === 'answered' && openEnvelope(exchange.envelopeText).message.error?.code, 'CERT_REVOKED');
    // The row's copy of the key follows the revocation too: the next request is refused before any transaction.
    assertFailed(await post(f.app, signedRequest(f, victim, 'AUTHORIZE', { entitlements: [] })), 'CERT_REVOKED');
  });

  it('admits a message whose instance answered another one meanwhile, keeping both nonces', async () => {
    const twin = await registerDevice(f);
    const satellite = f.app.satellite;
    const answered = (): number => satellite.uow.read((repos) => repos.deviceMessages.findInstanceReplay(twin.instanceId)?.messagesAnswered ?? 0);
    const before = answered();
    const other = signedRequest(f, twin, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }, { nonce: 'other-nonce-0001' });
    let otherAnswer = '';
    const racing = checkerThatMeanwhile(satellite, async () => {
      otherAnswer = (await post(f.app, other)).text;
    });
    const mine = signedRequest(f, twin, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }, { nonce: 'mine-nonce-00001' });
    const exchange = await handlerWith(satellite, racing).handle(mine);
    assert.equal(exchange.kind === 'answered' && openEnvelope(exchange.envelopeText).message.status, 'OK');
    assert.equal(openEnvelope(otherAnswer).message.status, 'OK', otherAnswer);
    assert.equal(answered(), before + 2);
    const nonces = satellite.uow.read((repos) => repos.deviceMessages.findInstanceReplay(twin.instanceId)?.nonces.map((n) => n.nonce));
    assert.ok(nonces?.includes('other-nonce-0001') && nonces.includes('mine-nonce-00001'), JSON.stringify(nonces));
    // Either message sent again is a replay of its nonce now.
    assertFailed(await post(f.app, signedRequest(f, twin, 'AUTHORIZE', { entitlements: [] }, { nonce: 'other-nonce-0001' })), 'REPLAY_DETECTED');
  });

  it('answers a twin of the same message that committed meanwhile with the twin\'s answer, acting once', async () => {
    const twin = await registerDevice(f);
    const satellite = f.app.satellite;
    const text = signedRequest(f, twin, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 2 }] });
    let first = '';
    const racing = checkerThatMeanwhile(satellite, async () => {
      first = (await post(f.app, text)).text;
    });
    const answered = (): number => satellite.uow.read((repos) => repos.deviceMessages.findInstanceReplay(twin.instanceId)?.messagesAnswered ?? 0);
    const before = answered();
    const exchange = await handlerWith(satellite, racing).handle(text);
    assert.equal(exchange.kind === 'answered' && exchange.outcome, 'REPLAYED');
    assert.equal(exchange.kind === 'answered' && exchange.envelopeText, first);
    assert.equal(answered(), before + 1);
  });

  it('reads an AUTHORIZE\'s entitlements again when they changed meanwhile, the instance row untouched (migration 0019)', async () => {
    const reporter = await registerDevice(f);
    const satellite = f.app.satellite;
    const report = { entitlements: [{ tag: TAG_A, count: 1 }] };
    assert.equal((await post(f.app, signedRequest(f, reporter, 'AUTHORIZE', report))).message?.status, 'OK');
    const stored = (): string => satellite.db.prepare('SELECT status FROM instance_entitlements WHERE instance_id = ? AND tag = ?')
      .pluck().get(reporter.instanceId, TAG_A) as string;
    assert.equal(stored(), 'AUTHORIZED');
    // Any writer of the entitlement row, behind the handler's back: the stored answer no longer matches the pool's.
    const racing = checkerThatMeanwhile(satellite, () => {
      satellite.db.prepare("UPDATE instance_entitlements SET status = 'OUT_OF_COMPLIANCE', authorized = 0 WHERE instance_id = ? AND tag = ?")
        .run(reporter.instanceId, TAG_A);
    });
    const exchange = await handlerWith(satellite, racing).handle(signedRequest(f, reporter, 'AUTHORIZE', report));
    assert.equal(exchange.kind === 'answered' && openEnvelope(exchange.envelopeText).message.status, 'OK');
    // Taken from the read before the signature check, the unchanged report would have matched the pool and written nothing.
    assert.equal(stored(), 'AUTHORIZED', 'the report saw the changed row and wrote the pool\'s answer back');
  });

  it('answers 503 in the transport dialect when the pool fails, storing nothing', async () => {
    const failing: SignatureChecker = {
      verify: () => Promise.reject(new DomainError('UNAVAILABLE', 'signature verification was interrupted (a crypto worker restarted); retry')),
      close: () => Promise.resolve(),
    };
    const satellite = { ...f.app.satellite, deviceHandler: handlerWith(f.app.satellite, failing) };
    const listener = deviceFastPath(new DeviceTransport(satellite, defaultHttpOptions), f.app, pino({ level: 'silent' }));
    const stored = storedResponseCount(f);
    const state = snapshot(f);
    const res = await request(listener).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'application/json')
      .send(signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }));
    assert.equal(res.status, 503, res.text);
    assert.equal((res.body as { error: { code: string } }).error.code, 'UNAVAILABLE');
    assert.equal(storedResponseCount(f), stored);
    assert.deepEqual(snapshot(f), state);
    await assertStillServes(f, device);
  });
});

/** The satellite's own checker, which does `meanwhile` after checking and before answering (a race, on purpose). */
function checkerThatMeanwhile(satellite: Satellite, meanwhile: () => Promise<void> | void): SignatureChecker {
  return {
    verify: async (input) => {
      const valid = await satellite.signatures.verify(input);
      await meanwhile();
      return valid;
    },
    close: () => Promise.resolve(),
  };
}

function handlerWith(satellite: Satellite, signatures: SignatureChecker): DeviceRequestHandler {
  return new DeviceRequestHandler({
    uow: satellite.uow, clock: satellite.clock, timers: satellite.timers, signer: satellite.pki,
    registration: satellite.registration, authorization: satellite.authorization, signatures, logger: satellite.logger,
  });
}
