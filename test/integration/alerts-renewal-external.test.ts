import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Alert } from '../../licensing/alerts/alert.js';
import { AUTHORIZATION_RENEWAL_FAILED, TOKEN_EXPIRING } from '../../licensing/alerts/alert-rules.js';
import { PRODUCT_INSTANCE_FAILED_TO_CONNECT } from '../../licensing/alerts/license-alert-rules.js';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Fixture } from '../support/satellite-fixture.js';
import { authorize } from '../support/instance-fixture.js';

function active(f: Fixture, messageType: string, target: string): Alert[] {
  return f.app.satellite.uow.read((r) => r.alertCauses.activeAlertsForTarget(target)).filter((a) => a.messageType === messageType);
}

describe('alert rule AUTHORIZATION_RENEWAL_FAILED', () => {
  let f: Fixture;
  beforeAll(async () => { f = await labSatellite({ timers: { tokenDefaultExpiryDays: 365 } }); });
  afterAll(() => f.app.close());

  it('is raised (Minor) by the sweep a grace week after the renewal was due, and cleared by the renewal itself', async () => {
    const device = await registerDevice(f);
    await authorize(f, device, [{ tag: TAG_A, count: 1 }]);
    f.clock.advance(37 * MS_PER_DAY);
    f.app.satellite.alerts.sweep();
    assert.equal(active(f, AUTHORIZATION_RENEWAL_FAILED, device.instanceId).length, 0, 'not before renew-after + grace');
    f.clock.advance(1);
    f.app.satellite.alerts.sweep();
    const [alert] = active(f, AUTHORIZATION_RENEWAL_FAILED, device.instanceId);
    assert.ok(alert);
    assert.equal(alert.severity, 'Minor');
    assert.match(alert.message, /sw-test \(C9300-24UX FCW[0-9A-F]+\) has not renewed its authorization since/);
    await authorize(f, device, [{ tag: TAG_A, count: 1 }]);
    assert.equal(active(f, AUTHORIZATION_RENEWAL_FAILED, device.instanceId).length, 0);
    assert.deepEqual(f.app.satellite.alerts.sweep(), { raised: 0, cleared: 0 });
  });

  it('gives way to PRODUCT_INSTANCE_FAILED_TO_CONNECT (Major) once the authorization expired, keeping the Minor one in the history', async () => {
    const device = await registerDevice(f);
    await authorize(f, device, []);
    f.clock.advance(40 * MS_PER_DAY);
    f.app.satellite.complianceSweep.run();
    assert.equal(active(f, AUTHORIZATION_RENEWAL_FAILED, device.instanceId)[0]?.severity, 'Minor');
    f.clock.advance(50 * MS_PER_DAY);
    const result = f.app.satellite.complianceSweep.run();
    assert.ok(result.authorizationsExpired >= 1, JSON.stringify(result));
    assert.equal(f.app.satellite.uow.read((r) => r.instances.findById(device.instanceId))?.authorizationState, 'AUTHORIZATION_EXPIRED');
    assert.equal(active(f, AUTHORIZATION_RENEWAL_FAILED, device.instanceId).length, 0);
    const [major] = active(f, PRODUCT_INSTANCE_FAILED_TO_CONNECT, device.instanceId);
    assert.equal(major?.severity, 'Major');
    assert.match(major?.message ?? '', /authorization expired/);
    const history = f.app.satellite.db.prepare('SELECT message_type || \' \' || severity FROM alerts WHERE target = ? ORDER BY raised_at').pluck().all(device.instanceId);
    assert.deepEqual(history, [`${AUTHORIZATION_RENEWAL_FAILED} Minor`, `${PRODUCT_INSTANCE_FAILED_TO_CONNECT} Major`]);
  });

  it('clears when the device deregisters', async () => {
    const device = await registerDevice(f);
    await authorize(f, device, [{ tag: TAG_A, count: 1 }]);
    f.clock.advance(91 * MS_PER_DAY);
    f.app.satellite.complianceSweep.run();
    assert.equal(active(f, PRODUCT_INSTANCE_FAILED_TO_CONNECT, device.instanceId).length, 1);
    const res = await post(f.app, signedRequest(f, device, 'DEREGISTER', {}));
    assert.equal(res.message?.status, 'OK', res.text);
    assert.equal(active(f, PRODUCT_INSTANCE_FAILED_TO_CONNECT, device.instanceId).length, 0);
    assert.equal(active(f, AUTHORIZATION_RENEWAL_FAILED, device.instanceId).length, 0);
  });

  it('never flags a registered device that has not authorized yet', async () => {
    const device = await registerDevice(f);
    f.clock.advance(100 * MS_PER_DAY);
    f.app.satellite.alerts.sweep();
    assert.equal(active(f, AUTHORIZATION_RENEWAL_FAILED, device.instanceId).length, 0);
  });
});

describe('external alerts (the port the sync feature raises and clears through)', () => {
  let f: Fixture;
  beforeAll(async () => { f = await labSatellite(); });
  afterAll(() => f.app.close());

  const sync = { messageType: 'SYNC_OVERDUE', severity: 'Minor' as const, source: 'sync', target: 'satellite', message: 'not synced for 31 days' };

  it('raises once, escalates on a new severity, survives the sweep and clears on request', () => {
    const first = f.app.satellite.alerts.raiseExternal(sync);
    assert.equal(f.app.satellite.alerts.raiseExternal(sync).id, first.id, 'raising again keeps the one alert');
    const major = f.app.satellite.alerts.raiseExternal({ ...sync, severity: 'Major', message: 'not synced for 61 days' });
    assert.notEqual(major.id, first.id);
    f.app.satellite.alerts.sweep();
    assert.equal(active(f, 'SYNC_OVERDUE', 'satellite')[0]?.severity, 'Major', 'the sweep leaves alerts it does not own alone');
    assert.equal(f.app.satellite.alerts.clearExternal('SYNC_OVERDUE', 'satellite'), true);
    assert.equal(f.app.satellite.alerts.clearExternal('SYNC_OVERDUE', 'satellite'), false);
    assert.equal(active(f, 'SYNC_OVERDUE', 'satellite').length, 0);
  });

  it('refuses the rule-owned message types and malformed ones', () => {
    for (const messageType of [TOKEN_EXPIRING, 'sync overdue', '']) {
      assert.throws(() => f.app.satellite.alerts.raiseExternal({ ...sync, messageType }),
        (error: unknown) => error instanceof DomainError && error.code === 'VALIDATION_FAILED');
    }
  });
});
