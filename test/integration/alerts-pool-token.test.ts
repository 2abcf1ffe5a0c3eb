import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Alert } from '../../licensing/alerts/alert.js';
import { INSUFFICIENT_LICENSES, TOKEN_EXPIRING } from '../../licensing/alerts/alert-rules.js';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, TAG_B, type Fixture } from '../support/satellite-fixture.js';
import { authorize } from '../support/instance-fixture.js';

const TAG_C = 'regid.2019-01.com.cisco.Ending,1.0_aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

function active(f: Fixture, messageType: string, target?: string): Alert[] {
  return f.app.satellite.uow.read((r) => r.alertCauses.activeAlertsOfTypes([messageType]))
    .filter((a) => target === undefined || a.target === target);
}

function rowsOf(f: Fixture, messageType: string, target: string): number {
  return Number(f.app.satellite.db.prepare('SELECT COUNT(*) FROM alerts WHERE message_type = ? AND target = ?').pluck().get(messageType, target));
}

describe('alert rule INSUFFICIENT_LICENSES: raised and cleared by the writes that change a pool', () => {
  let f: Fixture;
  let target: string;
  let targetC: string;
  beforeAll(async () => {
    f = await labSatellite();
    const lab = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab');
    target = `${lab.id}/${TAG_B}`;
    targetC = `${lab.id}/${TAG_C}`;
  });
  afterAll(() => f.app.close());

  it('raises a Major alert, with account and VA, in the AUTHORIZE that overdraws the pool, and only once', async () => {
    const d1 = await registerDevice(f);
    const d2 = await registerDevice(f);
    await authorize(f, d1, [{ tag: TAG_B, count: 2 }]);
    assert.equal(active(f, INSUFFICIENT_LICENSES).length, 0);
    await authorize(f, d2, [{ tag: TAG_B, count: 1 }]);
    const [alert] = active(f, INSUFFICIENT_LICENSES, target);
    assert.ok(alert);
    assert.equal(alert.severity, 'Major');
    assert.equal(alert.source, 'Lab');
    assert.equal(alert.accountId, f.app.satellite.inventory.findAccount('Acme').id);
    assert.equal(alert.virtualAccountId, f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab').id);
    assert.equal(alert.raisedAt, f.clock.now());
    assert.match(alert.message, /DNA Advantage in virtual account Lab: 3 in use, 2 purchased \(short by 1\)/);
    await authorize(f, d2, [{ tag: TAG_B, count: 1 }]);
    await authorize(f, d1, [{ tag: TAG_B, count: 2 }]);
    assert.equal(rowsOf(f, INSUFFICIENT_LICENSES, target), 1, 'repeated reports write no new alert');
  });

  it('clears when licenses are added', () => {
    f.clock.advance(1000);
    f.app.seed.licenseLine('Acme', 'Lab', { tag: TAG_B, displayName: 'DNA Advantage', quantity: 1 });
    assert.equal(active(f, INSUFFICIENT_LICENSES, target).length, 0);
    const cleared = f.app.satellite.db.prepare('SELECT cleared_at FROM alerts WHERE target = ?').pluck().get(target);
    assert.equal(cleared, f.clock.now());
  });

  it('clears when the device asks for less, and when it deregisters', async () => {
    const d = await registerDevice(f);
    await authorize(f, d, [{ tag: TAG_B, count: 1 }]);
    assert.equal(active(f, INSUFFICIENT_LICENSES, target).length, 1);
    await authorize(f, d, []);
    assert.equal(active(f, INSUFFICIENT_LICENSES, target).length, 0);
    await authorize(f, d, [{ tag: TAG_B, count: 5 }]);
    assert.equal(active(f, INSUFFICIENT_LICENSES, target).length, 1);
    const res = await post(f.app, signedRequest(f, d, 'DEREGISTER', {}));
    assert.equal(res.message?.status, 'OK');
    assert.equal(active(f, INSUFFICIENT_LICENSES, target).length, 0);
    assert.equal(rowsOf(f, INSUFFICIENT_LICENSES, target), 3, 'each episode is its own alert in the history');
  });

  it('is raised by the periodic sweep when a license line ends, and cleared by it when a line starts', async () => {
    f.app.seed.licenseLine('Acme', 'Lab', { tag: TAG_C, displayName: 'Ending', quantity: 1, licenseType: 'TERM', endsAt: f.clock.now() + 10 * MS_PER_DAY });
    f.app.seed.licenseLine('Acme', 'Lab', {
      tag: TAG_C, displayName: 'Ending', quantity: 1, licenseType: 'TERM', startsAt: f.clock.now() + 20 * MS_PER_DAY,
    });
    const d = await registerDevice(f);
    await authorize(f, d, [{ tag: TAG_C, count: 1 }, { tag: TAG_A, count: 1 }]);
    assert.deepEqual(f.app.satellite.alerts.sweep(), { raised: 0, cleared: 0 });
    f.clock.advance(10 * MS_PER_DAY);
    f.app.satellite.alerts.sweep();
    const [alert] = active(f, INSUFFICIENT_LICENSES, targetC);
    assert.ok(alert);
    assert.match(alert.message, /1 in use, 0 purchased/);
    assert.equal(active(f, INSUFFICIENT_LICENSES).length, 1, 'healthy pools raise nothing');
    f.clock.advance(10 * MS_PER_DAY);
    f.app.satellite.alerts.sweep();
    assert.equal(active(f, INSUFFICIENT_LICENSES, targetC).length, 0);
  });
});

describe('alert rule TOKEN_EXPIRING: raised when a token nears expiry, cleared when it cannot be used any more', () => {
  let f: Fixture;
  beforeAll(async () => { f = await labSatellite(); });
  afterAll(() => f.app.close());

  it('raises a Minor alert for a token created with less than 7 days to live, and clears it on revoke', () => {
    const { token } = f.app.seed.token('Acme', 'Lab', { expiresAfterDays: 5, description: 'short-lived' });
    const [alert] = active(f, TOKEN_EXPIRING, token.id);
    assert.ok(alert);
    assert.equal(alert.severity, 'Minor');
    assert.equal(alert.virtualAccountId, token.virtualAccountId);
    assert.match(alert.message, /'short-lived'/);
    f.app.satellite.tokens.revoke(token.id, 'test');
    assert.equal(active(f, TOKEN_EXPIRING, token.id).length, 0);
  });

  it('clears when the token is used up', async () => {
    const seeded = f.app.seed.token('Acme', 'Lab', { expiresAfterDays: 3, maxUses: 1 });
    assert.equal(active(f, TOKEN_EXPIRING, seeded.token.id).length, 1);
    await registerDevice(f, { token: seeded.secret });
    assert.equal(active(f, TOKEN_EXPIRING, seeded.token.id).length, 0);
  });

  it('is raised by the sweep 7 days before expiry and cleared by it once the token expired', () => {
    const { token } = f.app.seed.token('Acme', 'Lab', { expiresAfterDays: 30 });
    assert.equal(active(f, TOKEN_EXPIRING, token.id).length, 0);
    f.clock.advance(23 * MS_PER_DAY - 1);
    f.app.satellite.alerts.sweep();
    assert.equal(active(f, TOKEN_EXPIRING, token.id).length, 0);
    f.clock.advance(1);
    f.app.satellite.alerts.sweep();
    assert.equal(active(f, TOKEN_EXPIRING, token.id).length, 1);
    assert.deepEqual(f.app.satellite.alerts.sweep(), { raised: 0, cleared: 0 }, 'a second sweep changes nothing');
    f.clock.advance(7 * MS_PER_DAY);
    f.app.satellite.alerts.sweep();
    assert.equal(active(f, TOKEN_EXPIRING, token.id).length, 0);
  });
});
