import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { AUTHORIZATION_RENEWAL_FAILED } from '../../licensing/alerts/alert-rules.js';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { bearerFor } from '../support/admin-auth.js';
import { assertError, authorize, deleteAs, getAs, registerNamed, usageOf } from '../support/instance-fixture.js';
import { labSatellite, post, signedRequest, TAG_A, TAG_B, type Fixture } from '../support/satellite-fixture.js';

const BASE = '/accounts/Acme/product-instances';

describe('DELETE /accounts/{a}/product-instances/{id}', () => {
  let f: Fixture;
  let operator: string;
  beforeAll(async () => {
    f = await labSatellite({ timers: { tokenDefaultExpiryDays: 365 } });
    operator = await bearerFor(f.app, { role: 'operator' });
  });
  afterAll(() => f.app.close());

  it('releases its licenses, revokes its certificate and records who removed it', async () => {
    const device = await registerNamed(f, { hostname: 'doomed' });
    await authorize(f, device, [{ tag: TAG_A, count: 4 }, { tag: TAG_B, count: 1 }]);
    const res = await deleteAs(f, `${BASE}/${device.instanceId}`, operator);
    assert.equal(res.status, 204, res.text);
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_A), { authorized: 0, requested: 0, reserved: 0 });
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_B), { authorized: 0, requested: 0, reserved: 0 });
    const detail = await getAs(f, `${BASE}/${device.instanceId}`, operator);
    assert.equal(detail.status, 200, detail.text);
    assert.equal(detail.body.productInstance.registrationState, 'UNREGISTERED');
    assert.equal(detail.body.productInstance.certificate.revokedAt, new Date(f.clock.now()).toISOString());
    assert.deepEqual(detail.body.productInstance.entitlements, []);
    const [event] = f.app.satellite.uow.read((r) => r.events.list({ type: 'PRODUCT_INSTANCE_REMOVED', limit: 1, offset: 0 }));
    assert.equal(event?.details.productInstanceId, device.instanceId);
    assert.equal(event?.actorType, 'user');
    assert.match(event?.actorId ?? '', /^test-operator-/);
    assert.equal((await getAs(f, BASE, operator)).body.total, 0, 'gone from the default list');
  });

  it("answers the removed device's next signed request with CERT_REVOKED", async () => {
    const device = await registerNamed(f);
    await authorize(f, device, [{ tag: TAG_A, count: 1 }]);
    assert.equal((await deleteAs(f, `${BASE}/${device.instanceId}`, operator)).status, 204);
    const res = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }));
    assert.equal(res.message?.status, 'FAILED', res.text);
    assert.equal(res.message?.error?.code, 'CERT_REVOKED');
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_A), { authorized: 0, requested: 0, reserved: 0 });
  });

  it('lets the same UDI register again as a new product instance', async () => {
    const device = await registerNamed(f);
    assert.equal((await deleteAs(f, `${BASE}/${device.instanceId}`, operator)).status, 204);
    const again = await registerNamed(f, { udi: device.udi });
    assert.notEqual(again.instanceId, device.instanceId);
  });

  it('clears the alerts of the instance it removes', async () => {
    const device = await registerNamed(f);
    await authorize(f, device, []);
    f.clock.advance(40 * MS_PER_DAY);
    f.app.satellite.alerts.sweep();
    const alerts = () => f.app.satellite.uow.read((r) => r.alertCauses.activeAlertsForTarget(device.instanceId));
    assert.equal(alerts()[0]?.messageType, AUTHORIZATION_RENEWAL_FAILED);
    const fresh = await bearerFor(f.app, { role: 'operator' });
    const detail = await getAs(f, `${BASE}/${device.instanceId}`, fresh);
    assert.equal(detail.body.productInstance.alerts[0]?.messageType, AUTHORIZATION_RENEWAL_FAILED);
    assert.equal((await deleteAs(f, `${BASE}/${device.instanceId}`, fresh)).status, 204);
    assert.deepEqual(alerts(), []);
  });

  it('refuses a second removal (409), a viewer (403), an unknown id (404) and no credentials (403)', async () => {
    const op = await bearerFor(f.app, { role: 'operator' });
    const device = await registerNamed(f);
    const viewer = await bearerFor(f.app, { role: 'viewer' });
    assertError(await deleteAs(f, `${BASE}/${device.instanceId}`, viewer), 403, 'FORBIDDEN', /operator/);
    assert.equal((await deleteAs(f, `${BASE}/${device.instanceId}`, op)).status, 204);
    assertError(await deleteAs(f, `${BASE}/${device.instanceId}`, op), 409, 'CONFLICT', /not registered/);
    assertError(await deleteAs(f, `${BASE}/nope`, op), 404, 'NOT_FOUND');
    f.app.seed.account('Other');
    const scoped = await bearerFor(f.app, { role: 'operator', accountScope: ['Other'] });
    assertError(await deleteAs(f, `${BASE}/${device.instanceId}`, scoped), 403, 'FORBIDDEN');
    const res = await request(f.app).delete(`/backend/api/v1${BASE}/${device.instanceId}`);
    assertError(res, 403, 'FORBIDDEN');
  });
});
