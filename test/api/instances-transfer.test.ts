import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { INSUFFICIENT_LICENSES } from '../../licensing/alerts/alert-rules.js';
import { bearerFor } from '../support/admin-auth.js';
import { assertError, authorize, getAs, postAs, usageOf } from '../support/instance-fixture.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, TAG_B, type Device, type Fixture } from '../support/satellite-fixture.js';

const BASE = '/accounts/Acme/product-instances';

describe('POST /accounts/{a}/product-instances/{id}/transfer', () => {
  let f: Fixture;
  let operator: string;
  let moved: Device;
  let short: Device;
  beforeAll(async () => {
    f = await labSatellite();
    f.app.seed.virtualAccount('Acme', 'Prod');
    f.app.seed.licenseLine('Acme', 'Prod', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 5 });
    f.app.seed.licenseLine('Acme', 'Prod', { tag: TAG_B, displayName: 'DNA Advantage', quantity: 1 });
    f.app.seed.virtualAccount('Acme', 'NoB');
    f.app.seed.licenseLine('Acme', 'NoB', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 100 });
    operator = await bearerFor(f.app, { role: 'operator' });
    moved = await registerDevice(f);
    short = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  const transfer = (device: Device, body: Record<string, unknown>, bearer = operator) =>
    postAs(f, `${BASE}/${device.instanceId}/transfer`, bearer, body);
  const alertsOn = (va: string, tag: string) => {
    const id = f.app.satellite.inventory.findVirtualAccount('Acme', va).id;
    return f.app.satellite.uow.read((r) => r.alertCauses.activeAlertsForTarget(`${id}/${tag}`)).filter((a) => a.messageType === INSUFFICIENT_LICENSES);
  };

  it('moves the instance and its usage: released from the source pools and granted in the target pools', async () => {
    await authorize(f, moved, [{ tag: TAG_A, count: 3 }, { tag: TAG_B, count: 1 }]);
    const res = await transfer(moved, { targetVirtualAccount: 'Prod' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.fromVirtualAccount, 'Lab');
    assert.equal(res.body.toVirtualAccount, 'Prod');
    assert.equal(res.body.forced, false);
    assert.deepEqual(res.body.shortfalls, []);
    assert.equal(res.body.productInstance.virtualAccount, 'Prod');
    assert.equal(res.body.productInstance.authorizationState, 'AUTHORIZED');
    assert.deepEqual(res.body.productInstance.entitlements.map((e: Record<string, unknown>) => [e.tag, e.requested, e.authorized, e.status]),
      [[TAG_A, 3, 3, 'AUTHORIZED'], [TAG_B, 1, 1, 'AUTHORIZED']].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_A), { authorized: 0, requested: 0, reserved: 0 });
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_B), { authorized: 0, requested: 0, reserved: 0 });
    assert.deepEqual(usageOf(f, 'Acme', 'Prod', TAG_A), { authorized: 3, requested: 3, reserved: 0 });
    assert.deepEqual(usageOf(f, 'Acme', 'Prod', TAG_B), { authorized: 1, requested: 1, reserved: 0 });
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'PRODUCT_INSTANCE_TRANSFERRED', limit: 5, offset: 0 }));
    assert.equal(events[0]?.details.productInstanceId, moved.instanceId);
    assert.equal(events[0]?.actorType, 'user');
    assert.match(events[0]?.actorId ?? '', /^test-operator-/);
    assert.match(events[0]?.message ?? '', /transferred from Lab to Prod/);
  });

  it('has the device authorize against the target pools afterwards', async () => {
    const answer = await authorize(f, moved, [{ tag: TAG_A, count: 5 }]);
    assert.equal(answer.body.authorization?.status, 'AUTHORIZED');
    assert.deepEqual(usageOf(f, 'Acme', 'Prod', TAG_A), { authorized: 5, requested: 5, reserved: 0 });
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_A), { authorized: 0, requested: 0, reserved: 0 });
    await authorize(f, moved, [{ tag: TAG_A, count: 3 }, { tag: TAG_B, count: 1 }]);
  });

  it('refuses with 409 naming each tag and its numbers when a target pool lacks licenses, changing nothing', async () => {
    await authorize(f, short, [{ tag: TAG_B, count: 2 }, { tag: TAG_A, count: 1 }]);
    const before = { lab: usageOf(f, 'Acme', 'Lab', TAG_B), prod: usageOf(f, 'Acme', 'Prod', TAG_B) };
    const res = await transfer(short, { targetVirtualAccount: 'Prod' });
    assertError(res, 409, 'CONFLICT', /DNA Advantage \[regid\.2017-05\.com\.cisco\.DNA_Advantage[^\]]*\] \(needs 2, 0 available of 1 purchased\)/);
    assert.match(res.body.error.message, /force: true/);
    assert.doesNotMatch(res.body.error.message, /UCM/, 'tags that fit are not named');
    assert.deepEqual(res.body.error.details.shortfalls, [
      { tag: TAG_B, displayName: 'DNA Advantage', needed: 2, available: 0, purchased: 1, reason: 'INSUFFICIENT' },
    ]);
    assert.deepEqual({ lab: usageOf(f, 'Acme', 'Lab', TAG_B), prod: usageOf(f, 'Acme', 'Prod', TAG_B) }, before);
    const detail = await getAs(f, `${BASE}/${short.instanceId}`, operator);
    assert.equal(detail.body.productInstance.virtualAccount, 'Lab');
    const noB = await transfer(short, { targetVirtualAccount: 'NoB' });
    assertError(noB, 409, 'CONFLICT', /'NoB' holds no license for it/);
    assert.equal(noB.body.error.details.shortfalls[0].reason, 'NOT_IN_VIRTUAL_ACCOUNT');
  });

  it('with force, transfers anyway: short tags become OUT_OF_COMPLIANCE and the target pool shows the shortfall', async () => {
    const res = await transfer(short, { targetVirtualAccount: 'Prod', force: true });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.forced, true);
    assert.equal(res.body.shortfalls[0].tag, TAG_B);
    const pi = res.body.productInstance;
    assert.equal(pi.virtualAccount, 'Prod');
    assert.equal(pi.authorizationState, 'OUT_OF_COMPLIANCE');
    const b = pi.entitlements.find((e: { tag: string }) => e.tag === TAG_B);
    assert.deepEqual([b.requested, b.authorized, b.status], [2, 0, 'OUT_OF_COMPLIANCE']);
    assert.deepEqual(usageOf(f, 'Acme', 'Lab', TAG_B), { authorized: 0, requested: 0, reserved: 0 });
    assert.deepEqual(usageOf(f, 'Acme', 'Prod', TAG_B), { authorized: 1, requested: 3, reserved: 0 });
    assert.deepEqual(usageOf(f, 'Acme', 'Prod', TAG_A), { authorized: 4, requested: 4, reserved: 0 });
    assert.equal(alertsOn('Prod', TAG_B).length, 1, 'the overdrawn target pool raises INSUFFICIENT_LICENSES');
    const back = await transfer(short, { targetVirtualAccount: 'Lab' });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.productInstance.authorizationState, 'AUTHORIZED');
    assert.equal(alertsOn('Prod', TAG_B).length, 0, 'and clears it when the instance leaves');
  });

  it('validates the body and the target, naming the field', async () => {
    assertError(await transfer(short, {}), 400, 'VALIDATION_FAILED', /body\.targetVirtualAccount/);
    assertError(await transfer(short, { targetVirtualAccount: 'Prod', force: 'yes' }), 400, 'VALIDATION_FAILED', /body\.force/);
    assertError(await transfer(short, { targetVirtualAccount: 'Prod', extra: 1 }), 400, 'VALIDATION_FAILED', /extra/);
    assertError(await transfer(short, { targetVirtualAccount: 'Lab' }), 400, 'VALIDATION_FAILED', /already in virtual account 'Lab'/);
    assertError(await transfer(short, { targetVirtualAccount: 'Nowhere' }), 404, 'NOT_FOUND', /Acme\/Nowhere/);
    const ghost = { ...short, instanceId: '00000000-0000-4000-8000-000000000000' };
    assertError(await transfer(ghost, { targetVirtualAccount: 'Prod' }), 404, 'NOT_FOUND', /product instance/);
  });

  it('needs the operator role and the account in scope; a deregistered instance cannot move', async () => {
    const viewer = await bearerFor(f.app, { role: 'viewer' });
    assertError(await transfer(short, { targetVirtualAccount: 'Prod' }, viewer), 403, 'FORBIDDEN', /operator/);
    f.app.seed.account('Other');
    const scoped = await bearerFor(f.app, { role: 'admin', accountScope: ['Other'] });
    assertError(await transfer(short, { targetVirtualAccount: 'Prod' }, scoped), 403, 'FORBIDDEN');
    const gone = await registerDevice(f);
    assert.equal((await post(f.app, signedRequest(f, gone, 'DEREGISTER', {}))).message?.status, 'OK');
    assertError(await transfer(gone, { targetVirtualAccount: 'Prod' }), 409, 'CONFLICT', /not registered/);
  });
});
