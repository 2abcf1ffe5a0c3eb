import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { bearerFor } from '../support/admin-auth.js';
import { DEMO_PATH, inventorySatellite, PREFIXES, START, type InventoryFixture } from '../support/inventory-fixture.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('admin API: accounts', () => {
  let f: InventoryFixture;
  beforeAll(async () => { f = await inventorySatellite(); });
  afterAll(() => f.app.close());

  it('lists every account for an unscoped principal, only its own for a scoped one', async () => {
    const all = await request(f.app).get('/backend/api/v1/accounts').set('authorization', f.viewer);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body, {
      accounts: [
        { name: 'Demo Account', createdAt: iso(START), virtualAccountCount: 2, reservationEnabled: false },
        { name: 'Other Account', createdAt: iso(START), virtualAccountCount: 1, reservationEnabled: false },
      ],
    });
    const scoped = await request(f.app).get('/api/v1/accounts').set('authorization', f.otherOperator);
    assert.deepEqual(scoped.body.accounts.map((a: { name: string }) => a.name), ['Other Account']);
    assert.equal((await request(f.app).get('/api/v1/accounts')).status, 403);
  });

  it('shows one account with its virtual accounts; 403 outside the scope', async () => {
    const res = await request(f.app).get(`/api/v1${DEMO_PATH}`).set('authorization', f.viewer);
    assert.deepEqual(res.body, {
      account: {
        name: 'Demo Account', createdAt: iso(START), virtualAccountCount: 2, reservationEnabled: false,
        virtualAccounts: [
          { name: 'Default', description: 'Demo virtual account', origin: 'local', createdAt: iso(START) },
          { name: 'Lab Two', description: '', origin: 'local', createdAt: iso(START) },
        ],
      },
    });
    assert.equal((await request(f.app).get(`/api/v1${DEMO_PATH}`).set('authorization', f.otherOperator)).status, 403);
  });

  for (const prefix of PREFIXES) {
    it(`creates an account (admin, 201) under ${prefix}`, async () => {
      const name = `New Co ${prefix}`;
      const res = await request(f.app).post(`${prefix}/accounts`).set('authorization', f.admin).send({ name });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, { account: { name, createdAt: iso(START), virtualAccountCount: 0, reservationEnabled: false } });
      const detail = await request(f.app).get(`${prefix}/accounts/${encodeURIComponent(name)}`).set('authorization', f.viewer);
      assert.equal(detail.status, 200);
    });
  }

  it('refuses to create: a duplicate (409), an empty name (400), an operator (403), a scoped admin (403)', async () => {
    const dup = await request(f.app).post('/api/v1/accounts').set('authorization', f.admin).send({ name: 'Demo Account' });
    assert.equal(dup.status, 409);
    const empty = await request(f.app).post('/api/v1/accounts').set('authorization', f.admin).send({ name: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, /^body\.name:/);
    const missing = await request(f.app).post('/api/v1/accounts').set('authorization', f.admin).send({});
    assert.match(missing.body.error.message, /^body\.name:/);
    assert.equal((await request(f.app).post('/api/v1/accounts').set('authorization', f.operator).send({ name: 'X' })).status, 403);
    const scopedAdmin = await bearerFor(f.app, { role: 'admin', accountScope: ['Other Account'] });
    const scoped = await request(f.app).post('/api/v1/accounts').set('authorization', scopedAdmin).send({ name: 'X' });
    assert.equal(scoped.status, 403);
    assert.match(scoped.body.error.message, /account scope/);
  });

  it('renames an account, refusing a name in use; the old name is gone', async () => {
    await request(f.app).post('/api/v1/accounts').set('authorization', f.admin).send({ name: 'Rename Me' }).expect(201);
    const clash = await request(f.app).patch('/api/v1/accounts/Rename%20Me').set('authorization', f.admin).send({ name: 'Demo Account' });
    assert.equal(clash.status, 409);
    const res = await request(f.app).patch('/backend/api/v1/accounts/Rename%20Me').set('authorization', f.admin).send({ name: 'Renamed Co' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { account: { name: 'Renamed Co', createdAt: iso(START), virtualAccountCount: 0, reservationEnabled: false } });
    assert.equal((await request(f.app).get('/api/v1/accounts/Rename%20Me').set('authorization', f.viewer)).status, 404);
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'ACCOUNT_RENAMED', limit: 5, offset: 0 }));
    assert.deepEqual(events[0]?.details, { from: 'Rename Me', to: 'Renamed Co' });
    assert.equal((await request(f.app).patch('/api/v1/accounts/Renamed%20Co').set('authorization', f.operator).send({ name: 'Y' })).status, 403);
  });

  it('deletes only an account without virtual accounts: 409 names them', async () => {
    const refused = await request(f.app).delete(`/api/v1${DEMO_PATH}`).set('authorization', f.admin);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.message, "account 'Demo Account' still has 2 virtual accounts (Default, Lab Two); delete them first");
    assert.deepEqual(refused.body.error.details, { virtualAccounts: ['Default', 'Lab Two'] });
    await request(f.app).post('/api/v1/accounts').set('authorization', f.admin).send({ name: 'Short Lived' }).expect(201);
    await request(f.app).post('/api/v1/accounts/Short%20Lived/virtual-accounts').set('authorization', f.admin).send({ name: 'Only' }).expect(200);
    assert.equal((await request(f.app).delete('/api/v1/accounts/Short%20Lived').set('authorization', f.admin)).status, 409);
    await request(f.app).delete('/api/v1/accounts/Short%20Lived/virtual-accounts/Only').set('authorization', f.admin).expect(204);
    const gone = await request(f.app).delete('/backend/api/v1/accounts/Short%20Lived').set('authorization', f.admin);
    assert.equal(gone.status, 204, gone.text);
    assert.equal((await request(f.app).get('/api/v1/accounts/Short%20Lived').set('authorization', f.viewer)).status, 404);
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'ACCOUNT_DELETED', limit: 5, offset: 0 }));
    assert.equal(events[0]?.message, 'Account Short Lived deleted');
    assert.equal((await request(f.app).delete(`/api/v1${DEMO_PATH}`).set('authorization', f.operator)).status, 403);
  });

  it('documents every route of this feature in the OpenAPI document', async () => {
    const res = await request(f.app).get('/backend/api/docs/openapi.json').expect(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: Array<[string, string[]]> = [
      ['/backend/api/v1/accounts', ['get', 'post']],
      ['/backend/api/v1/accounts/{accountName}', ['get', 'patch', 'delete']],
      ['/backend/api/v1/accounts/{accountName}/virtual-accounts', ['get', 'post']],
      ['/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}', ['get', 'patch', 'delete']],
      ['/backend/api/v1/accounts/{accountName}/licenses', ['post', 'get']],
      ['/backend/api/v1/accounts/{accountName}/licenses/export.csv', ['get']],
      ['/backend/api/v1/accounts/{accountName}/alerts', ['post', 'get']],
      ['/backend/api/v1/accounts/{accountName}/license-transfers', ['post', 'get']],
      ['/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/licenses', ['get']],
      ['/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/license-lines', ['post']],
      ['/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/tokens', ['post', 'get']],
      ['/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/tokens/{tokenId}', ['delete']],
    ];
    for (const [path, methods] of expected) {
      assert.ok(paths[path], `${path} is documented`);
      for (const method of methods) assert.ok(paths[path]?.[method], `${method} ${path} is documented`);
    }
    const create = paths['/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/tokens']?.post as Record<string, unknown>;
    assert.equal(create['x-minimum-role'], 'operator');
    assert.ok((create.responses as Record<string, unknown>)['200']);
  });
});
