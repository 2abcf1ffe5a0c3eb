import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';

const TAG_C = 'regid.2020-01.com.cisco.Steady,1.0_0c5a4f0e-1b2d-4e3f-9a8b-7c6d5e4f3a2b';

/**
 * An AUTHORIZE repeating exactly what the instance holds skips the release and re-grant
 * (licensing/device/unchanged-report.ts). Whatever path it takes, the answer and the stored state must be
 * those of the full path: these tests pin them, including the cases that must fall back.
 */
describe('AUTHORIZE of an unchanged report', () => {
  let f: Fixture;
  let vaId: string;

  beforeAll(async () => {
    f = await labSatellite();
    vaId = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab').id;
  });
  afterAll(() => f.app.close());

  async function authorize(device: Device, entitlements: Array<{ tag: string; count: number }>) {
    const res = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements }));
    const auth = res.message?.body.authorization;
    assert.ok(auth, res.text);
    return { status: auth.status, entitlements: auth.entitlements.map((e) => [e.tag, e.requested, e.status, e.display_name]) };
  }

  const usage = (tag: string) => f.app.satellite.uow.read((r) => r.licenses.getUsage(vaId, tag));
  const held = (device: Device) => f.app.satellite.uow.read((r) => r.instances.listEntitlements(device.instanceId));

  /** pool_usage must always equal the sum of the entitlements that count against it. */
  function assertLedgerBalanced(tag: string): void {
    const sums = f.app.satellite.db.prepare(`SELECT COALESCE(SUM(authorized), 0) AS authorized, COALESCE(SUM(requested), 0) AS requested
      FROM instance_entitlements WHERE tag = ?`).get(tag) as { authorized: number; requested: number };
    const pool = usage(tag);
    assert.deepEqual([pool.authorized, pool.requested], [sums.authorized, sums.requested]);
  }

  it('answers a repeated report like the first and leaves the pool and entitlements as they were, the instance fresh', async () => {
    const device = await registerDevice(f);
    const report = [{ tag: TAG_A, count: 3 }, { tag: TAG_A, count: 1 }];
    const first = await authorize(device, report);
    const firstAt = f.clock.now();
    const before = usage(TAG_A);
    f.clock.advance(MS_PER_DAY);
    const second = await authorize(device, report);
    assert.deepEqual(second, first);
    assert.deepEqual(second.entitlements, [[TAG_A, 4, 'AUTHORIZED', 'UCM Enhanced']]);
    assert.deepEqual(usage(TAG_A), before);
    // An entitlement's updatedAt is when its count or answer last changed; the instance says when it reported.
    assert.deepEqual(held(device).map((e) => [e.tag, e.requested, e.authorized, e.status, e.updatedAt]), [[TAG_A, 4, 4, 'AUTHORIZED', firstAt]]);
    const instance = f.app.satellite.uow.read((r) => r.instances.findById(device.instanceId));
    assert.equal(instance?.authorizedAt, f.clock.now());
    assert.equal(instance?.lastContactAt, f.clock.now());
    assert.equal(instance?.authorizationExpiresAt, f.clock.now() + 90 * MS_PER_DAY);
    assertLedgerBalanced(TAG_A);
  });

  it('re-grants when the report changes a count, adds or drops a tag', async () => {
    const device = await registerDevice(f);
    await authorize(device, [{ tag: TAG_A, count: 1 }]);
    const base = usage(TAG_A).authorized;
    assert.deepEqual((await authorize(device, [{ tag: TAG_A, count: 2 }])).entitlements, [[TAG_A, 2, 'AUTHORIZED', 'UCM Enhanced']]);
    assert.equal(usage(TAG_A).authorized, base + 1);
    const withUnknown = await authorize(device, [{ tag: TAG_A, count: 2 }, { tag: 'regid.unknown', count: 1 }]);
    assert.equal(withUnknown.status, 'OUT_OF_COMPLIANCE');
    assert.deepEqual((await authorize(device, [])).status, 'NO_LICENSES_IN_USE');
    assert.equal(usage(TAG_A).authorized, base - 1);
    assert.deepEqual(held(device), []);
    assertLedgerBalanced(TAG_A);
  });

  it('falls back to the full path when the licenses held have since expired', async () => {
    f.app.seed.licenseLine('Acme', 'Lab', { tag: TAG_C, displayName: 'Steady', quantity: 2, endsAt: f.clock.now() + 10 * MS_PER_DAY });
    const device = await registerDevice(f);
    assert.equal((await authorize(device, [{ tag: TAG_C, count: 2 }])).status, 'AUTHORIZED');
    f.clock.advance(11 * MS_PER_DAY);
    const after = await authorize(device, [{ tag: TAG_C, count: 2 }]);
    // The expired line still names the tag (not INVALID_TAG), but nothing is left to grant.
    assert.deepEqual(after.entitlements, [[TAG_C, 2, 'OUT_OF_COMPLIANCE', 'Steady']]);
    assert.deepEqual([usage(TAG_C).authorized, usage(TAG_C).requested], [0, 2]);
    assertLedgerBalanced(TAG_C);
  });

  it('falls back to the full path when a reservation took the licenses the report holds', async () => {
    const tag = `${TAG_C}.reserved`;
    f.app.seed.licenseLine('Acme', 'Lab', { tag, displayName: 'Reserved', quantity: 2 });
    const device = await registerDevice(f);
    assert.equal((await authorize(device, [{ tag, count: 2 }])).status, 'AUTHORIZED');
    f.app.satellite.uow.write((r) => r.licenses.addUsage(vaId, tag, { authorized: 0, requested: 0, reserved: 1 }));
    assert.deepEqual((await authorize(device, [{ tag, count: 2 }])).entitlements, [[tag, 2, 'OUT_OF_COMPLIANCE', 'Reserved']]);
    assert.deepEqual(usage(tag), { authorized: 0, requested: 2, reserved: 1 });
    // Once the reservation is gone the same report is granted again.
    f.app.satellite.uow.write((r) => r.licenses.addUsage(vaId, tag, { authorized: 0, requested: 0, reserved: -1 }));
    assert.deepEqual((await authorize(device, [{ tag, count: 2 }])).entitlements, [[tag, 2, 'AUTHORIZED', 'Reserved']]);
    assertLedgerBalanced(tag);
  });

  it('keeps granting a steady report exactly up to a pool used to the last license', async () => {
    const tag = `${TAG_C}.full`;
    f.app.seed.licenseLine('Acme', 'Lab', { tag, displayName: 'Full', quantity: 3 });
    const [a, b] = [await registerDevice(f), await registerDevice(f)];
    assert.equal((await authorize(a, [{ tag, count: 2 }])).status, 'AUTHORIZED');
    assert.equal((await authorize(b, [{ tag, count: 1 }])).status, 'AUTHORIZED');
    assert.equal((await authorize(a, [{ tag, count: 2 }])).status, 'AUTHORIZED');
    assert.equal((await authorize(b, [{ tag, count: 2 }])).status, 'OUT_OF_COMPLIANCE');
    assert.deepEqual(usage(tag), { authorized: 2, requested: 4, reserved: 0 });
    assertLedgerBalanced(tag);
  });

  it('keeps a short pool\'s consumer on the steady path, and changes its answer once another report covers the pool', async () => {
    const tag = `${TAG_C}.pool-level`;
    f.app.seed.licenseLine('Acme', 'Lab', { tag, displayName: 'Shared', quantity: 4 });
    const [a, b] = [await registerDevice(f), await registerDevice(f)];
    assert.equal((await authorize(a, [{ tag, count: 3 }])).status, 'AUTHORIZED');
    assert.equal((await authorize(b, [{ tag, count: 2 }])).status, 'OUT_OF_COMPLIANCE', 'b makes the pool short (5 of 4)');
    const touched = held(a)[0]?.updatedAt;
    f.clock.advance(1000);
    assert.equal((await authorize(a, [{ tag, count: 3 }])).status, 'OUT_OF_COMPLIANCE', 'pool-level: a learns at its next report');
    f.clock.advance(1000);
    const before = usage(tag);
    assert.equal((await authorize(a, [{ tag, count: 3 }])).status, 'OUT_OF_COMPLIANCE', 'same answer again: the steady path');
    assert.deepEqual(usage(tag), before);
    assert.ok((held(a)[0]?.updatedAt ?? 0) > (touched ?? 0));
    assert.equal((await authorize(b, [{ tag, count: 1 }])).status, 'AUTHORIZED', 'b reports less: 4 of 4');
    assert.equal((await authorize(a, [{ tag, count: 3 }])).status, 'AUTHORIZED', 'a\'s unchanged report now gets the covered answer');
    assert.deepEqual(usage(tag), { authorized: 4, requested: 4, reserved: 0 });
    assertLedgerBalanced(tag);
  });
});
