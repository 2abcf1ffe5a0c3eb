import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { INSUFFICIENT_LICENSES } from '../../licensing/alerts/license-alert-rules.js';
import { bearerFor } from '../support/admin-auth.js';
import { authorize } from '../support/instance-fixture.js';
import { labSatellite, registerDevice, type Device, type Fixture } from '../support/satellite-fixture.js';
import type { ResponseMessage } from '../support/test-device.js';

const CUWL = 'regid.2016-07.com.cisco.UCM_CUWL,12.0_11111111-1111-4111-8111-111111111111';
const PLUS = 'regid.2016-07.com.cisco.UCM_EnhancedPlus,12.0_22222222-2222-4222-8222-222222222222';
const API = '/backend/api/v1';
const LICENSES = `${API}/accounts/Acme/licenses`;

const statusOf = (m: ResponseMessage, tag: string) => m.body.authorization?.entitlements.find((e) => e.tag === tag)?.status;

describe('substitution end to end: the seed example of DESIGN §8.2 through devices, catalog API, toolkit rows and alerts', () => {
  let f: Fixture;
  let admin: string;
  let viewer: string;
  let cuwlDevice: Device;
  let plusDevice: Device;
  let labId: string;
  beforeAll(async () => {
    f = await labSatellite();
    admin = await bearerFor(f.app, { role: 'admin' });
    viewer = await bearerFor(f.app, { role: 'viewer' });
    f.app.seed.licenseLine('Acme', 'Lab', { tag: CUWL, displayName: 'UC Manager CUWL', quantity: 100 });
    labId = f.app.satellite.inventory.findVirtualAccount('Acme', 'Lab').id;
    cuwlDevice = await registerDevice(f);
    plusDevice = await registerDevice(f);
  });
  afterAll(() => f.app.close());

  const rows = async () => {
    const res = await request(f.app).post(LICENSES).set('authorization', viewer).send({ limit: -1 });
    assert.equal(res.status, 200, res.text);
    return res.body.licenses as Array<{ tag: string; quantity: number; inUse: number; available: number; status: string; substitution: number; reserved: number }>;
  };
  const row = async (tag: string) => (await rows()).find((r) => r.tag === tag);
  const insufficient = (tag: string) => f.app.satellite.uow.read((r) => r.alertCauses.activeAlert(INSUFFICIENT_LICENSES, `${labId}/${tag}`));

  it('without a ladder, Enhanced Plus consumers of a VA holding only CUWL get INVALID_TAG', async () => {
    const answer = await authorize(f, plusDevice, [{ tag: PLUS, count: 50 }]);
    assert.equal(statusOf(answer, PLUS), 'INVALID_TAG');
    assert.deepEqual(await row(PLUS), { license: PLUS, tag: PLUS, quantity: 0, inUse: 50, available: -50, status: 'Out of Compliance', reserved: 0, substitution: 0 });
  });

  it('the catalog (admin only) puts CUWL above Enhanced Plus; bad entries are 400 and write nothing', async () => {
    const put = (bearer: string, tag: string, body: Record<string, unknown>) => request(f.app).put(`${API}/catalog/${encodeURIComponent(tag)}`).set('authorization', bearer).send(body);
    assert.equal((await put(viewer, CUWL, { displayName: 'CUWL' })).status, 403);
    for (const [body, field] of [
      [{ displayName: 'CUWL', substitutionLevel: -1 }, 'body.substitutionLevel'],
      [{ displayName: '' }, 'body.displayName'],
      [{ displayName: 'CUWL', substitutes: [CUWL] }, 'substitutes'],
      [{ displayName: 'CUWL', extra: 1 }, 'body'],
    ] as const) {
      const res = await put(admin, CUWL, body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error.message + JSON.stringify(res.body.error.details ?? {}), new RegExp(field.replace('.', '\\.')));
    }
    assert.equal((await request(f.app).get(`${API}/catalog`).set('authorization', viewer)).body.entries.length, 0);
    const plus = await put(admin, PLUS, { displayName: 'UC Manager Enhanced Plus', substitutionLevel: 5 });
    assert.equal(plus.status, 200, plus.text);
    const cuwl = await put(admin, CUWL, { displayName: 'UC Manager CUWL', substitutionLevel: 6, substitutes: [PLUS] });
    assert.equal(cuwl.status, 200, cuwl.text);
    assert.deepEqual(cuwl.body.entry.substitutes, [PLUS]);
    const lower = await put(admin, PLUS, { displayName: 'UC Manager Enhanced Plus', substitutionLevel: 7 });
    assert.equal(lower.status, 200, 'raising the level is allowed; CUWL then no longer lends');
    assert.equal((await put(admin, PLUS, { displayName: 'UC Manager Enhanced Plus', substitutionLevel: 5, substitutes: [CUWL] })).status, 400, 'no loops');
    assert.equal((await put(admin, PLUS, { displayName: 'UC Manager Enhanced Plus', substitutionLevel: 5 })).status, 200);
    const list = await request(f.app).get(`${API}/catalog`).set('authorization', viewer);
    assert.deepEqual(list.body.entries.map((e: { tag: string; substitutionLevel: number }) => [e.tag, e.substitutionLevel]), [[CUWL, 6], [PLUS, 5]], "sorted by tag");
  });

  it('the catalog change alone re-evaluates the pool: the shortfall is covered and INSUFFICIENT_LICENSES clears', async () => {
    assert.equal(insufficient(PLUS), undefined);
  });

  it('100 CUWL, 10 CUWL + 50 Enhanced Plus in use: Enhanced Plus 0 (+50), CUWL 40 (-50), both in compliance', async () => {
    const c = await authorize(f, cuwlDevice, [{ tag: CUWL, count: 10 }]);
    const p = await authorize(f, plusDevice, [{ tag: PLUS, count: 50 }]);
    assert.equal(statusOf(c, CUWL), 'AUTHORIZED');
    assert.equal(statusOf(p, PLUS), 'AUTHORIZED');
    assert.equal(p.body.authorization?.entitlements[0]?.display_name, 'UC Manager Enhanced Plus', 'named by the catalog');
    assert.deepEqual(await row(PLUS), { license: 'UC Manager Enhanced Plus', tag: PLUS, quantity: 0, inUse: 50, available: 0, status: 'In Compliance', reserved: 0, substitution: 50 });
    assert.deepEqual(await row(CUWL), { license: 'UC Manager CUWL', tag: CUWL, quantity: 100, inUse: 10, available: 40, status: 'In Compliance', reserved: 0, substitution: -50 });
    const pools = await request(f.app).get(`${API}/accounts/Acme/virtual-accounts/Lab/licenses`).set('authorization', viewer);
    const labels = Object.fromEntries(pools.body.licenses.map((l: { tag: string; substitutionLabel: string; balance: number }) => [l.tag, [l.substitutionLabel, l.balance]]));
    assert.deepEqual([labels[PLUS], labels[CUWL]], [['From Higher: +50', 0], ['To Lower: -50', 40]]);
  });

  it('45 more CUWL: Enhanced Plus -5, its consumers OUT_OF_COMPLIANCE, INSUFFICIENT_LICENSES raised at once; CUWL at 0', async () => {
    const c = await authorize(f, cuwlDevice, [{ tag: CUWL, count: 55 }]);
    assert.equal(statusOf(c, CUWL), 'AUTHORIZED');
    assert.ok(insufficient(PLUS), 'raised by the CUWL report, before any Enhanced Plus device speaks');
    assert.equal(insufficient(CUWL), undefined);
    assert.deepEqual([(await row(PLUS))?.available, (await row(PLUS))?.status], [-5, 'Out of Compliance']);
    assert.deepEqual([(await row(CUWL))?.available, (await row(CUWL))?.substitution, (await row(CUWL))?.status], [0, -45, 'In Compliance']);
    const p = await authorize(f, plusDevice, [{ tag: PLUS, count: 50 }]);
    assert.equal(statusOf(p, PLUS), 'OUT_OF_COMPLIANCE', 'the other consumer learns at its next report');
    assert.equal(p.body.authorization?.status, 'OUT_OF_COMPLIANCE');
  });

  it('91 more CUWL instead: CUWL itself is short; back down: everything clears', async () => {
    const c = await authorize(f, cuwlDevice, [{ tag: CUWL, count: 101 }]);
    assert.equal(statusOf(c, CUWL), 'OUT_OF_COMPLIANCE');
    assert.ok(insufficient(CUWL));
    assert.deepEqual([(await row(CUWL))?.available, (await row(PLUS))?.available], [-1, -50]);
    await authorize(f, cuwlDevice, [{ tag: CUWL, count: 10 }]);
    assert.equal(insufficient(CUWL), undefined);
    assert.equal(insufficient(PLUS), undefined);
    const p = await authorize(f, plusDevice, [{ tag: PLUS, count: 50 }]);
    assert.equal(statusOf(p, PLUS), 'AUTHORIZED');
    assert.deepEqual((await rows()).filter((r) => r.status !== 'In Compliance'), []);
  });

  it('never lends across virtual accounts or accounts', async () => {
    f.app.seed.virtualAccount('Acme', 'Other');
    f.app.seed.account('Globex');
    f.app.seed.virtualAccount('Globex', 'Voice');
    f.app.seed.licenseLine('Globex', 'Voice', { tag: CUWL, displayName: 'UC Manager CUWL', quantity: 500 });
    const otherToken = f.app.seed.token('Acme', 'Other', { maxUses: 5 });
    const outsider = await registerDevice(f, { token: otherToken.secret });
    const answer = await authorize(f, outsider, [{ tag: PLUS, count: 1 }]);
    assert.equal(statusOf(answer, PLUS), 'INVALID_TAG', 'Lab\'s and Globex\'s CUWL do not cover a VA that holds neither');
    const pools = await request(f.app).get(`${API}/accounts/Acme/virtual-accounts/Other/licenses`).set('authorization', viewer);
    assert.deepEqual(pools.body.licenses.map((l: { tag: string; balance: number; substitution: number }) => [l.tag, l.balance, l.substitution]), [[PLUS, -1, 0]]);
    assert.equal((await row(CUWL))?.substitution, -50, 'Lab still lends only to its own Enhanced Plus');
  });
});
