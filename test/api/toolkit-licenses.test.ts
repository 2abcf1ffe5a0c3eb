import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import {
  DEMO, DEMO_PATH, deviceUsing, inventorySatellite, PREFIXES, TAG_A, TAG_B, type InventoryFixture,
} from '../support/inventory-fixture.js';

describe('API toolkit: POST .../accounts/{a}/licenses', () => {
  let f: InventoryFixture;
  beforeAll(async () => {
    f = await inventorySatellite();
    await deviceUsing(f, TAG_A, 3);
    // 20 reported of a pool of 10: usage is trusted, then verified, so the pool shows the shortfall.
    await deviceUsing(f, TAG_B, 20);
  });
  afterAll(() => f.app.close());

  const expected = {
    licenses: [
      { license: 'DNA Advantage', tag: TAG_B, quantity: 10, inUse: 20, available: -10, status: 'Out of Compliance', reserved: 0, substitution: 0 },
      { license: 'UCM Enhanced', tag: TAG_A, quantity: 105, inUse: 3, available: 102, status: 'In Compliance', reserved: 0, substitution: 0 },
    ],
  };

  for (const prefix of PREFIXES) {
    it(`answers one row per license of the account, field for field, under ${prefix}`, async () => {
      const res = await request(f.app).post(`${prefix}${DEMO_PATH}/licenses`).set('authorization', f.viewer).send({ limit: -1 });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, expected);
      assert.equal(res.headers['x-total-count'], '2');
    });
  }

  it('accepts numbers as strings, an empty body, and GET with the same fields in the query', async () => {
    const asStrings = await request(f.app).post(`/api/v1${DEMO_PATH}/licenses`).set('authorization', f.viewer).send({ limit: '-1' });
    assert.deepEqual(asStrings.body, expected);
    const empty = await request(f.app).post(`/api/v1${DEMO_PATH}/licenses`).set('authorization', f.viewer);
    assert.deepEqual(empty.body, expected);
    const viaGet = await request(f.app).get(`/backend/api/v1${DEMO_PATH}/licenses?limit=-1`).set('authorization', f.viewer);
    assert.deepEqual(viaGet.body, expected);
  });

  it('pages with limit and offset', async () => {
    const second = await request(f.app).post(`/api/v1${DEMO_PATH}/licenses`).set('authorization', f.viewer).send({ limit: '1', offset: '1' });
    assert.deepEqual(second.body, { licenses: [expected.licenses[1]] });
    assert.equal(second.headers['x-total-count'], '2');
    const first = await request(f.app).get(`/api/v1${DEMO_PATH}/licenses?limit=1&offset=0`).set('authorization', f.viewer);
    assert.deepEqual(first.body, { licenses: [expected.licenses[0]] });
    const past = await request(f.app).post(`/api/v1${DEMO_PATH}/licenses`).set('authorization', f.viewer).send({ limit: 1000, offset: 5 });
    assert.deepEqual(past.body, { licenses: [] });
  });

  for (const [body, field] of [
    [{ limit: 1001 }, 'body.limit'], [{ limit: 0 }, 'body.limit'], [{ limit: 'all' }, 'body.limit'], [{ limit: -2 }, 'body.limit'],
    [{ limit: -1, offset: -1 }, 'body.offset'], [{ limit: 1.5 }, 'body.limit'],
  ] as const) {
    it(`refuses ${JSON.stringify(body)} with 400 naming ${field}`, async () => {
      const res = await request(f.app).post(`/api/v1${DEMO_PATH}/licenses`).set('authorization', f.viewer).send(body);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(res.body.error.message, new RegExp(`^${field.replace('.', '\\.')}:`));
    });
  }

  it('refuses a query limit above the cap too', async () => {
    const res = await request(f.app).get(`/api/v1${DEMO_PATH}/licenses?limit=5000`).set('authorization', f.viewer);
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /^query\.limit:/);
  });

  it('is 403 without credentials and for a principal scoped to another account, 404 for an unknown account', async () => {
    const anonymous = await request(f.app).post(`/backend/api/v1${DEMO_PATH}/licenses`).send({ limit: -1 });
    assert.equal(anonymous.status, 403);
    assert.equal(anonymous.body.error.details.reason, 'CREDENTIALS_REQUIRED');
    const scoped = await request(f.app).post(`/backend/api/v1${DEMO_PATH}/licenses`).set('authorization', f.otherOperator).send({ limit: -1 });
    assert.equal(scoped.status, 403);
    assert.equal(scoped.body.error.code, 'FORBIDDEN');
    const own = await request(f.app).post('/backend/api/v1/accounts/Other%20Account/licenses').set('authorization', f.otherOperator).send({ limit: -1 });
    assert.deepEqual(own.body, { licenses: [{ license: 'UCM Enhanced', tag: TAG_A, quantity: 1, inUse: 0, available: 1, status: 'In Compliance', reserved: 0, substitution: 0 }] });
    const unknown = await request(f.app).post('/backend/api/v1/accounts/Nope/licenses').set('authorization', f.viewer).send({ limit: -1 });
    assert.equal(unknown.status, 404);
  });

  it('exports the same rows as RFC 4180 CSV', async () => {
    const res = await request(f.app).get(`/backend/api/v1${DEMO_PATH}/licenses/export.csv`).set('authorization', f.viewer);
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="?licenses-Demo_Account\.csv"?$/);
    assert.equal(res.text, [
      'License,Tag,Billing,Quantity,In Use,Reserved,Substitution,Available,Status',
      `DNA Advantage,"${TAG_B}",Prepaid,10,20,0,0,-10,Out of Compliance`,
      `UCM Enhanced,"${TAG_A}",Prepaid,105,3,0,0,102,In Compliance`,
      '',
    ].join('\r\n'));
    const scoped = await request(f.app).get(`/api/v1${DEMO_PATH}/licenses/export.csv`).set('authorization', f.otherOperator);
    assert.equal(scoped.status, 403);
  });
});

describe('API toolkit licenses: compliance per virtual account', () => {
  let f: InventoryFixture;
  beforeAll(async () => { f = await inventorySatellite(); });
  afterAll(() => f.app.close());

  it('is Out of Compliance when one VA is short even though the account as a whole has enough', async () => {
    const labToken = f.app.seed.token(DEMO, 'Lab Two', { maxUses: 10 });
    await deviceUsing(f, TAG_A, 6, labToken);
    const res = await request(f.app).post(`/api/v1${DEMO_PATH}/licenses`).set('authorization', f.viewer).send({ limit: -1 });
    assert.deepEqual(res.body.licenses[1], {
      license: 'UCM Enhanced', tag: TAG_A, quantity: 105, inUse: 6, available: 99, status: 'Out of Compliance', reserved: 0, substitution: 0,
    });
  });
});
