import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { csrFor, newTestKey } from '../support/test-device.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, TAG_B, type Fixture } from '../support/satellite-fixture.js';

describe('device lifecycle over the JSON transport', () => {
  let f: Fixture;
  beforeAll(async () => { f = await labSatellite(); });
  afterAll(() => f.app.close());

  it('registers, returning an ID certificate, the chain, the accounts and the timers', async () => {
    const device = await registerDevice(f);
    const row = f.app.satellite.uow.read((r) => r.instances.findById(device.instanceId));
    assert.equal(row?.registrationState, 'REGISTERED');
    assert.equal(row?.lastContactAt, f.clock.now());
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'PRODUCT_INSTANCE_REGISTERED', limit: 10, offset: 0 }));
    assert.ok(events.some((e) => e.details.productInstanceId === device.instanceId));
  });

  it('authorizes from the pool and reports purchased, in use and balance', async () => {
    const device = await registerDevice(f);
    const res = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 4 }] }));
    const auth = res.message?.body.authorization;
    assert.equal(res.message?.status, 'OK');
    assert.equal(auth?.status, 'AUTHORIZED');
    assert.deepEqual(auth?.entitlements.map((e) => [e.tag, e.requested, e.status, e.display_name]), [[TAG_A, 4, 'AUTHORIZED', 'UCM Enhanced']]);
    const body = res.message?.body as unknown as { authorization: { authorized_at: number; expires_at: number; next_renewal_at: number } };
    assert.equal(body.authorization.expires_at - body.authorization.authorized_at, 90 * MS_PER_DAY);
    assert.equal(body.authorization.next_renewal_at - body.authorization.authorized_at, 30 * MS_PER_DAY);
    const va = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    const usage = f.app.satellite.uow.read((r) => r.licenses.getUsage(va.id, TAG_A));
    assert.equal(usage.authorized, 4);
  });

  it('answers INVALID_TAG for a tag the VA has no line for, and OUT_OF_COMPLIANCE when the pool is short', async () => {
    const device = await registerDevice(f);
    const res = await post(f.app, signedRequest(f, device, 'AUTHORIZE', {
      entitlements: [{ tag: TAG_B, count: 3 }, { tag: 'regid.unknown', count: 1 }],
    }));
    const auth = res.message?.body.authorization;
    assert.equal(auth?.status, 'OUT_OF_COMPLIANCE');
    assert.deepEqual(auth?.entitlements.map((e) => e.status), ['OUT_OF_COMPLIANCE', 'INVALID_TAG']);
  });

  it('renews the ID certificate and refuses the old one afterwards', async () => {
    const device = await registerDevice(f);
    const key = await newTestKey();
    const renewed = await post(f.app, signedRequest(f, device, 'RENEW_ID_CERT', { csr: await csrFor(key) }));
    assert.equal(renewed.message?.status, 'OK');
    const old = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [] }));
    assert.equal(old.message?.error?.code, 'CERT_REVOKED');
  });

  it('deregisters, returning licenses to the pool and revoking the certificate', async () => {
    const device = await registerDevice(f);
    await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 2 }] }));
    const va = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    const before = f.app.satellite.uow.read((r) => r.licenses.getUsage(va.id, TAG_A)).authorized;
    const res = await post(f.app, signedRequest(f, device, 'DEREGISTER', {}));
    assert.equal(res.message?.status, 'OK');
    assert.deepEqual(res.message?.body.registration, { status: 'UNREGISTERED' });
    assert.equal(f.app.satellite.uow.read((r) => r.licenses.getUsage(va.id, TAG_A)).authorized, before - 2);
    const again = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [] }));
    assert.equal(again.message?.error?.code, 'CERT_REVOKED');
  });
});
