import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import {
  DEMO, DEMO_PATH, deviceFixture, deviceUsing, inventorySatellite, START, TAG_A, TAG_B, type InventoryFixture,
} from '../support/inventory-fixture.js';
import { post, registerDevice, signedRequest } from '../support/satellite-fixture.js';

const iso = (ms: number) => new Date(ms).toISOString();
const TRANSFERS = `${DEMO_PATH}/license-transfers`;

describe('admin API: license transfers between virtual accounts', () => {
  let f: InventoryFixture;
  beforeAll(async () => {
    f = await inventorySatellite();
    await deviceUsing(f, TAG_A, 3);
  });
  afterAll(() => f.app.close());

  const pool = async (va: string, tag: string) => {
    const res = await request(f.app).get(`/api/v1${DEMO_PATH}/virtual-accounts/${encodeURIComponent(va)}/licenses`).set('authorization', f.viewer);
    return res.body.licenses.find((p: { tag: string }) => p.tag === tag) as { purchased: number; inUse: number; balance: number; lines: Array<{ quantity: number; end: string | null; origin: string }> } | undefined;
  };
  const toolkitQuantity = async (tag: string) => {
    const res = await request(f.app).post(`/api/v1${DEMO_PATH}/licenses`).set('authorization', f.viewer).send({ limit: -1 });
    return res.body.licenses.find((r: { tag: string }) => r.tag === tag)?.quantity as number;
  };
  const transferCount = () => f.app.satellite.db.prepare('SELECT COUNT(*) AS n FROM license_transfers').get() as { n: number };

  it('moves licenses as a pair of transfer lines, writes events, and leaves the account total alone', async () => {
    const res = await request(f.app).post(`/backend/api/v1${TRANSFERS}`).set('authorization', f.operator)
      .send({ from: 'Default', to: 'Lab Two', tag: TAG_A, quantity: '30' });
    assert.equal(res.status, 201, res.text);
    const t = res.body.transfer;
    const line = { displayName: 'UCM Enhanced', type: 'PERPETUAL', start: iso(START), end: null, active: true, origin: 'transfer', transferId: t.id };
    assert.deepEqual(res.body, {
      transfer: {
        id: t.id, tag: TAG_A, from: 'Default', to: 'Lab Two', quantity: 30, createdAt: iso(START), createdBy: t.createdBy,
        lines: [
          { ...line, id: t.lines[0].id, quantity: -30, virtualAccount: 'Default' },
          { ...line, id: t.lines[1].id, quantity: 30, virtualAccount: 'Lab Two' },
        ],
      },
    });
    assert.match(t.createdBy, /^test-operator-/);
    assert.deepEqual([(await pool('Default', TAG_A))?.purchased, (await pool('Lab Two', TAG_A))?.purchased], [70, 35]);
    assert.equal(await toolkitQuantity(TAG_A), 105);
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'LICENSE_TRANSFERRED', limit: 10, offset: 0 }));
    assert.deepEqual(events.map((e) => e.message).sort(), ['30 x UCM Enhanced transferred from Default', '30 x UCM Enhanced transferred to Lab Two']);
  });

  it('lets devices of the destination use what was transferred', async () => {
    const labToken = f.app.seed.token(DEMO, 'Lab Two', { maxUses: 5 });
    const df = deviceFixture(f, labToken);
    const device = await registerDevice(df);
    const res = await post(f.app, signedRequest(df, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 35 }] }));
    assert.equal(res.message?.body.authorization?.status, 'AUTHORIZED', res.text);
    const done = await post(f.app, signedRequest(df, device, 'DEREGISTER', {}));
    assert.equal(done.message?.status, 'OK');
  });

  it('never takes a pool below what is in use: 409 with the numbers, and nothing written', async () => {
    const before = { transfers: transferCount().n, pool: await pool('Default', TAG_A) };
    const res = await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.operator)
      .send({ from: 'Default', to: 'Lab Two', tag: TAG_A, quantity: 68 });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.error.message, "cannot transfer 68 x UCM Enhanced from 'Default': it holds 70, 3 in use, 67 available");
    assert.deepEqual(res.body.error.details, { tag: TAG_A, from: 'Default', requested: 68, purchased: 70, inUse: 3, available: 67 });
    assert.deepEqual({ transfers: transferCount().n, pool: await pool('Default', TAG_A) }, before);
    const none = await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.operator)
      .send({ from: 'Lab Two', to: 'Default', tag: TAG_B, quantity: 1 });
    assert.equal(none.status, 409);
    assert.deepEqual(none.body.error.details, { tag: TAG_B, from: 'Lab Two', requested: 1, purchased: 0, inUse: 0, available: 0 });
  });

  for (const [body, pattern] of [
    [{ from: 'Default', to: 'Default', tag: TAG_A, quantity: 1 }, /^from and to must be different/],
    [{ from: 'Nowhere', to: 'Default', tag: TAG_A, quantity: 1 }, /^from: virtual account 'Nowhere' does not exist/],
    [{ from: 'Default', to: 'Main', tag: TAG_A, quantity: 1 }, /^to: virtual account 'Main' does not exist/],
    [{ from: 'Default', to: 'Lab Two', tag: TAG_A, quantity: '0' }, /^body\.quantity:/],
    [{ from: 'Default', to: 'Lab Two', tag: TAG_A }, /^body\.quantity:/],
    [{ from: 'Default', to: 'Lab Two', quantity: 1 }, /^body\.tag:/],
    [{ to: 'Lab Two', tag: TAG_A, quantity: 1 }, /^body\.from:/],
  ] as const) {
    it(`refuses ${JSON.stringify(body).replace(TAG_A, 'A').slice(0, 70)} with 400`, async () => {
      const res = await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.operator).send(body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error.message, pattern);
    });
  }

  it('carries the terms of a term line: the moved licenses end when the source line ends', async () => {
    const res = await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.operator)
      .send({ from: 'Default', to: 'Lab Two', tag: TAG_B, quantity: 4 });
    assert.equal(res.status, 201, res.text);
    const moved = await pool('Lab Two', TAG_B);
    assert.deepEqual(moved?.lines.map((l) => [l.quantity, l.end, l.origin]), [[4, iso(START + 180 * MS_PER_DAY), 'transfer']]);
    f.clock.set(START + 180 * MS_PER_DAY);
    try {
      const pools = f.app.satellite.uow.read((r) => r.accounts.listVirtualAccounts(f.app.satellite.inventory.findAccount(DEMO).id))
        .flatMap((va) => f.app.satellite.licensePools.virtualAccountPools(va.id)).filter((p) => p.tag === TAG_B);
      assert.deepEqual(pools.map((p) => p.purchased), [0, 0]);
    } finally {
      f.clock.set(START);
    }
  });

  it('lets a VA that gave everything back be deleted, while the other side keeps its lines', async () => {
    await request(f.app).post(`/api/v1${DEMO_PATH}/virtual-accounts`).set('authorization', f.operator).send({ name: 'Temp' }).expect(200);
    await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.operator).send({ from: 'Default', to: 'Temp', tag: TAG_A, quantity: 5 }).expect(201);
    const refused = await request(f.app).delete(`/api/v1${DEMO_PATH}/virtual-accounts/Temp`).set('authorization', f.operator);
    assert.equal(refused.body.error.message, "virtual account 'Temp' is not empty: it still has licenses (5 x UCM Enhanced)");
    await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.operator).send({ from: 'Temp', to: 'Default', tag: TAG_A, quantity: 5 }).expect(201);
    await request(f.app).delete(`/api/v1${DEMO_PATH}/virtual-accounts/Temp`).set('authorization', f.operator).expect(204);
    assert.equal((await pool('Default', TAG_A))?.purchased, 70);
    const list = await request(f.app).get(`/backend/api/v1${TRANSFERS}?limit=2`).set('authorization', f.viewer);
    assert.equal(list.status, 200, list.text);
    const temp = list.body.transfers[0].from;
    assert.match(temp, /^[0-9a-f-]{36}$/, 'a deleted VA is named by its id');
    assert.deepEqual(list.body.transfers.map((t: { from: string; to: string; quantity: number }) => [t.from, t.to, t.quantity]), [
      [temp, 'Default', 5], ['Default', temp, 5],
    ]);
  });

  it('needs operator to transfer and viewer to list; 403 across scopes and without credentials', async () => {
    const body = { from: 'Default', to: 'Lab Two', tag: TAG_A, quantity: 1 };
    assert.equal((await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.viewer).send(body)).status, 403);
    assert.equal((await request(f.app).post(`/api/v1${TRANSFERS}`).set('authorization', f.otherOperator).send(body)).status, 403);
    assert.equal((await request(f.app).get(`/api/v1${TRANSFERS}`).set('authorization', f.otherOperator)).status, 403);
    assert.equal((await request(f.app).post(`/api/v1${TRANSFERS}`).send(body)).status, 403);
    assert.equal((await request(f.app).get(`/api/v1${TRANSFERS}`).set('authorization', f.viewer)).status, 200);
  });
});
