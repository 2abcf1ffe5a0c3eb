import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { assertFailed, registerRequest } from '../support/device-probe.js';
import {
  DEMO, DEMO_PATH, deviceFixture, deviceUsing, inventorySatellite, PREFIXES, START, TAG_A, type InventoryFixture,
} from '../support/inventory-fixture.js';
import { post, signedRequest } from '../support/satellite-fixture.js';

const iso = (ms: number) => new Date(ms).toISOString();
const VAS = `${DEMO_PATH}/virtual-accounts`;

describe('admin API: virtual accounts', () => {
  let f: InventoryFixture;
  beforeAll(async () => { f = await inventorySatellite(); });
  afterAll(() => f.app.close());

  for (const prefix of PREFIXES) {
    it(`creates a VA with { name, description } (API toolkit, 200) under ${prefix}`, async () => {
      const name = `Branch ${prefix.length}`;
      const res = await request(f.app).post(`${prefix}${VAS}`).set('authorization', f.operator).send({ name, description: 'branch office' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { virtualAccount: { name, description: 'branch office', origin: 'local', createdAt: iso(START) } });
    });
  }

  it('lists the VAs of an account by name', async () => {
    const res = await request(f.app).get(`/api/v1/accounts/Other%20Account/virtual-accounts`).set('authorization', f.viewer);
    assert.deepEqual(res.body, { virtualAccounts: [{ name: 'Main', description: '', origin: 'local', createdAt: iso(START) }] });
    const one = await request(f.app).get(`/backend/api/v1${VAS}/Lab%20Two`).set('authorization', f.viewer);
    assert.deepEqual(one.body, { virtualAccount: { name: 'Lab Two', description: '', origin: 'local', createdAt: iso(START) } });
    assert.equal((await request(f.app).get(`/api/v1${VAS}/Nope`).set('authorization', f.viewer)).status, 404);
  });

  it('refuses to create: duplicate 409, no name 400, viewer 403, other account\'s scope 403, no credentials 403', async () => {
    assert.equal((await request(f.app).post(`/api/v1${VAS}`).set('authorization', f.operator).send({ name: 'Default' })).status, 409);
    const noName = await request(f.app).post(`/api/v1${VAS}`).set('authorization', f.operator).send({ description: 'x' });
    assert.equal(noName.status, 400);
    assert.match(noName.body.error.message, /^body\.name:/);
    assert.equal((await request(f.app).post(`/api/v1${VAS}`).set('authorization', f.viewer).send({ name: 'V' })).status, 403);
    assert.equal((await request(f.app).post(`/api/v1${VAS}`).set('authorization', f.otherOperator).send({ name: 'V' })).status, 403);
    assert.equal((await request(f.app).post(`/api/v1${VAS}`).send({ name: 'V' })).status, 403);
  });

  it('renames a VA and changes its description; refuses a name in use and upstream VAs', async () => {
    await request(f.app).post(`/api/v1${VAS}`).set('authorization', f.operator).send({ name: 'Old Name' }).expect(200);
    const res = await request(f.app).patch(`/api/v1${VAS}/Old%20Name`).set('authorization', f.operator).send({ name: 'New Name', description: 'moved' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { virtualAccount: { name: 'New Name', description: 'moved', origin: 'local', createdAt: iso(START) } });
    assert.equal((await request(f.app).patch(`/api/v1${VAS}/New%20Name`).set('authorization', f.operator).send({ name: 'Default' })).status, 409);
    const account = f.app.satellite.inventory.findAccount(DEMO);
    f.app.satellite.uow.write((r) => r.accounts.insertVirtualAccount({
      id: 'upstream-va', accountId: account.id, name: 'From Upstream', description: '', origin: 'upstream', createdAt: START,
    }));
    const upstream = await request(f.app).patch(`/api/v1${VAS}/From%20Upstream`).set('authorization', f.operator).send({ name: 'Mine' });
    assert.equal(upstream.status, 409);
    assert.match(upstream.body.error.message, /comes from the upstream/);
    assert.equal((await request(f.app).delete(`/api/v1${VAS}/From%20Upstream`).set('authorization', f.operator)).status, 409);
    assert.equal((await request(f.app).patch(`/api/v1${VAS}/New%20Name`).set('authorization', f.viewer).send({ name: 'Z' })).status, 403);
  });

  it('deletes an empty VA (204) and writes an event', async () => {
    await request(f.app).post(`/api/v1${VAS}`).set('authorization', f.operator).send({ name: 'Empty One' }).expect(200);
    const res = await request(f.app).delete(`/backend/api/v1${VAS}/Empty%20One`).set('authorization', f.operator);
    assert.equal(res.status, 204, res.text);
    assert.equal((await request(f.app).get(`/api/v1${VAS}/Empty%20One`).set('authorization', f.viewer)).status, 404);
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'VIRTUAL_ACCOUNT_DELETED', limit: 5, offset: 0 }));
    assert.equal(events[0]?.message, 'Virtual account Empty One deleted');
  });

  it('refuses to delete a VA that holds licenses, naming them', async () => {
    const res = await request(f.app).delete(`/api/v1${VAS}/Lab%20Two`).set('authorization', f.operator);
    assert.equal(res.status, 409);
    assert.equal(res.body.error.message, "virtual account 'Lab Two' is not empty: it still has licenses (5 x UCM Enhanced)");
    assert.deepEqual(res.body.error.details, {
      registeredInstances: 0, activeTokens: 0, heldLicenses: [{ tag: TAG_A, displayName: 'UCM Enhanced', quantity: 5 }], upstreamLines: 0,
    });
  });

  it('refuses while a product instance is registered or a token is active, and deletes once both are gone', async () => {
    await request(f.app).post(`/api/v1${VAS}`).set('authorization', f.operator).send({ name: 'Devices' }).expect(200);
    const token = f.app.seed.token(DEMO, 'Devices', { maxUses: 5 });
    const device = await deviceUsing(f, TAG_A, 0, token);
    const busy = await request(f.app).delete(`/api/v1${VAS}/Devices`).set('authorization', f.operator);
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.message, "virtual account 'Devices' is not empty: it still has 1 registered product instance, 1 active token");
    const df = deviceFixture(f, token);
    const bye = await post(f.app, signedRequest(df, device, 'DEREGISTER', {}));
    assert.equal(bye.message?.status, 'OK', bye.text);
    const tokenOnly = await request(f.app).delete(`/api/v1${VAS}/Devices`).set('authorization', f.operator);
    assert.equal(tokenOnly.body.error.message, "virtual account 'Devices' is not empty: it still has 1 active token");
    await request(f.app).delete(`/api/v1${VAS}/Devices/tokens/${token.token.id}`).set('authorization', f.operator).expect(200);
    await request(f.app).delete(`/api/v1${VAS}/Devices`).set('authorization', f.operator).expect(204);
    // What only had meaning inside the VA went with it: the deregistered instance, its certificate, the token.
    const left = f.app.satellite.uow.read((r) => ({ instance: r.instances.findById(device.instanceId), token: r.tokens.findById(token.token.id) }));
    assert.deepEqual(left, { instance: undefined, token: undefined });
    assertFailed(await post(f.app, (await registerRequest(df)).text), 'TOKEN_INVALID');
  });
});
