import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { INSUFFICIENT_LICENSES, LICENSES_EXPIRED, LICENSES_EXPIRING } from '../../licensing/alerts/license-alert-rules.js';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { ComplianceSchedule, type TimerPort } from '../../server/jobs/compliance-schedule.js';
import { bearerFor } from '../support/admin-auth.js';
import { authorize } from '../support/instance-fixture.js';
import { labSatellite, registerDevice, type Fixture } from '../support/satellite-fixture.js';

const TAG = 'regid.2020-01.com.cisco.Term,1.0_33333333-3333-4333-8333-333333333333';

describe('terms (DESIGN §8.3): pools flip at line boundaries without device traffic', () => {
  let f: Fixture;
  let target: string;
  let fired: Array<() => unknown>;
  let schedule: ComplianceSchedule;
  const start = Date.UTC(2026, 10, 23, 12);
  const endsAt = start + 100 * MS_PER_DAY;
  beforeAll(async () => {
    f = await labSatellite({ timers: { tokenDefaultExpiryDays: 365 } });
    target = `${f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab').id}/${TAG}`;
    f.app.seed.licenseLine('Acme', 'Lab', { tag: TAG, displayName: 'Term Seats', quantity: 5, licenseType: 'SUBSCRIPTION', endsAt });
    const device = await registerDevice(f);
    await authorize(f, device, [{ tag: TAG, count: 5 }]);
    fired = [];
    const timers: TimerPort = { set: (run) => { fired.push(run); return { cancel: () => undefined }; } };
    schedule = new ComplianceSchedule({
      sweep: f.app.satellite.complianceSweep, clock: f.clock, intervalMs: 365 * MS_PER_DAY, timers, logger: pino({ level: 'silent' }),
    });
    await schedule.start();
  });
  afterAll(() => {
    schedule.stop();
    f.app.close();
  });

  const active = (type: string) => f.app.satellite.uow.read((r) => r.alertCauses.activeAlert(type, target));
  // A fresh bearer each time: the clock moves by months here, past any token's lifetime.
  const status = async () => (await request(f.app).post('/backend/api/v1/accounts/Acme/licenses').set('authorization', await bearerFor(f.app, { role: 'viewer' })).send({}))
    .body.licenses.find((r: { tag: string }) => r.tag === TAG) as { quantity: number; inUse: number; available: number; status: string };
  /** What the running process does: wait until the scheduled run is due, then run it. */
  const runScheduled = async () => {
    const due = schedule.nextRunAt();
    assert.ok(due !== null);
    f.clock.set(due);
    await fired.at(-1)?.();
  };

  it('schedules the next run at the next line boundary (the line\'s end), read from the lines', () => {
    assert.equal(schedule.nextRunAt(), endsAt);
    assert.equal(active(LICENSES_EXPIRING), undefined, '100 days out: nothing yet');
  });

  it('raises LICENSES_EXPIRING at 90 days (Minor), again at 60 (Minor) and at 30 (Major)', () => {
    for (const [days, severity] of [[90, 'Minor'], [60, 'Minor'], [30, 'Major']] as const) {
      f.clock.set(endsAt - days * MS_PER_DAY - 1);
      f.app.satellite.complianceSweep.run();
      assert.equal(active(LICENSES_EXPIRING)?.message.includes(`within ${days + (days === 90 ? 0 : 30)} days`) ?? false, days !== 90,
        `just before ${days} days the previous stage holds`);
      f.clock.set(endsAt - days * MS_PER_DAY);
      f.app.satellite.complianceSweep.run();
      const alert = active(LICENSES_EXPIRING);
      assert.equal(alert?.severity, severity);
      assert.match(alert?.message ?? '', new RegExp(`5 Term Seats licenses in virtual account Lab end within ${days} days`));
    }
    const history = f.app.satellite.db.prepare('SELECT severity FROM alerts WHERE message_type = ? AND target = ? ORDER BY raised_at').pluck()
      .all(LICENSES_EXPIRING, target);
    assert.deepEqual(history, ['Minor', 'Minor', 'Major'], 'each stage is its own alert');
  });

  it('at the end, the scheduled run flips the pool: Out of Compliance, INSUFFICIENT_LICENSES and LICENSES_EXPIRED', async () => {
    assert.deepEqual(await status(), { ...(await status()), quantity: 5, available: 0, status: 'In Compliance' });
    await runScheduled();
    assert.equal(f.clock.now(), endsAt);
    assert.deepEqual(await status(), { ...(await status()), quantity: 0, inUse: 5, available: -5, status: 'Out of Compliance' });
    assert.ok(active(INSUFFICIENT_LICENSES));
    assert.equal(active(LICENSES_EXPIRED)?.severity, 'Major');
    assert.equal(active(LICENSES_EXPIRING), undefined, 'ended, no longer expiring');
  });

  it('a renewed line starting later flips it back at its start; both term alerts clear', async () => {
    const renewal = f.app.seed.licenseLine('Acme', 'Lab', {
      tag: TAG, displayName: 'Term Seats', quantity: 5, licenseType: 'SUBSCRIPTION', startsAt: endsAt + 10 * MS_PER_DAY, endsAt: endsAt + 400 * MS_PER_DAY,
    });
    await schedule.runNow();
    assert.equal(schedule.nextRunAt(), renewal.startsAt, 'the new line\'s start is the next boundary');
    assert.ok(active(LICENSES_EXPIRED), 'not renewed yet');
    await runScheduled();
    assert.deepEqual(await status(), { ...(await status()), quantity: 5, available: 0, status: 'In Compliance' });
    assert.equal(active(INSUFFICIENT_LICENSES), undefined);
    assert.equal(active(LICENSES_EXPIRED), undefined);
  });

  it('LICENSES_EXPIRED only while devices consume the tag; renewal arriving before the end clears LICENSES_EXPIRING', () => {
    const other = 'regid.2020-01.com.cisco.Idle,1.0_44444444-4444-4444-8444-444444444444';
    const idleTarget = target.replace(TAG, other);
    const now = f.clock.now();
    f.app.seed.licenseLine('Acme', 'Lab', { tag: other, displayName: 'Idle', quantity: 2, licenseType: 'TERM', endsAt: now + 20 * MS_PER_DAY });
    const expiring = () => f.app.satellite.uow.read((r) => r.alertCauses.activeAlert(LICENSES_EXPIRING, idleTarget));
    assert.equal(expiring()?.severity, 'Major', 'raised by the line add itself');
    f.app.seed.licenseLine('Acme', 'Lab', { tag: other, displayName: 'Idle', quantity: 2, licenseType: 'TERM', startsAt: now + 20 * MS_PER_DAY, endsAt: now + 800 * MS_PER_DAY });
    assert.equal(expiring(), undefined, 'a renewal that starts when the old line ends clears it');
    f.clock.set(now + 30 * MS_PER_DAY);
    f.app.satellite.complianceSweep.run();
    assert.equal(f.app.satellite.uow.read((r) => r.alertCauses.activeAlert(LICENSES_EXPIRED, idleTarget)), undefined);
  });

  it('a restart is safe: a fresh schedule runs at once and finds the same state', async () => {
    const again = new ComplianceSchedule({
      sweep: f.app.satellite.complianceSweep, clock: f.clock, intervalMs: 15 * 60_000, timers: { set: () => ({ cancel: () => undefined }) },
      logger: pino({ level: 'silent' }),
    });
    await again.start();
    assert.equal(again.nextRunAt(), f.clock.now() + 15 * 60_000, 'no boundary within 15 minutes: the interval');
    assert.deepEqual(f.app.satellite.alerts.sweep(), { raised: 0, cleared: 0 });
    again.stop();
    assert.equal(again.nextRunAt(), null);
  });
});
