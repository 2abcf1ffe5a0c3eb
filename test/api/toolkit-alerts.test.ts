import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import type { Alert } from '../../licensing/alerts/alert.js';
import { MS_PER_HOUR } from '../../licensing/shared/clock.js';
import { DEMO, DEMO_PATH, inventorySatellite, PREFIXES, START, type InventoryFixture } from '../support/inventory-fixture.js';

describe('API toolkit: POST .../accounts/{a}/alerts', () => {
  let f: InventoryFixture;
  beforeAll(async () => {
    f = await inventorySatellite();
    const demo = f.app.satellite.inventory.findAccount(DEMO);
    const other = f.app.satellite.inventory.findAccount('Other Account');
    const alert = (id: string, over: Partial<Alert>): Alert => ({
      id, severity: 'Minor', messageType: 'TEST', source: 'Satellite', target: id, message: id, accountId: demo.id,
      virtualAccountId: null, raisedAt: START, clearedAt: null, ...over,
    });
    f.app.satellite.uow.write((r) => {
      r.alerts.raise(alert('pool', {
        severity: 'Major', messageType: 'INSUFFICIENT_LICENSES', source: 'Default', message: 'UCM Enhanced: 12 requested, 10 purchased',
        raisedAt: START - 2 * MS_PER_HOUR,
      }));
      r.alerts.raise(alert('sync', {
        severity: 'Informational', messageType: 'SYNC_OVERDUE', source: 'Satellite', message: 'not synchronized for 30 days',
        accountId: null, raisedAt: START - MS_PER_HOUR,
      }));
      r.alerts.raise(alert('other', { accountId: other.id, message: 'someone else\'s' }));
      r.alerts.raise(alert('gone', { message: 'cleared already', raisedAt: START - 3 * MS_PER_HOUR }));
      r.alerts.clear('TEST', 'gone', START);
    });
  });
  afterAll(() => f.app.close());

  const expected = {
    alerts: [
      { messageType: 'SYNC_OVERDUE', severity: 'Informational', source: 'Satellite', message: 'not synchronized for 30 days', createdAt: '2026-11-23T11:00:00.000Z' },
      { messageType: 'INSUFFICIENT_LICENSES', severity: 'Major', source: 'Default', message: 'UCM Enhanced: 12 requested, 10 purchased', createdAt: '2026-11-23T10:00:00.000Z' },
    ],
  };

  for (const prefix of PREFIXES) {
    it(`answers the account's active alerts and the satellite-wide ones, newest first, under ${prefix}`, async () => {
      const res = await request(f.app).post(`${prefix}${DEMO_PATH}/alerts`).set('authorization', f.viewer).send({ limit: -1 });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, expected);
    });
  }

  it('pages with string numerics, and GET takes the same fields in the query', async () => {
    const res = await request(f.app).post(`/api/v1${DEMO_PATH}/alerts`).set('authorization', f.viewer).send({ limit: '1', offset: '1' });
    assert.deepEqual(res.body, { alerts: [expected.alerts[1]] });
    assert.equal(res.headers['x-total-count'], '2');
    const viaGet = await request(f.app).get(`/backend/api/v1${DEMO_PATH}/alerts?limit=-1`).set('authorization', f.viewer);
    assert.deepEqual(viaGet.body, expected);
  });

  it('shows a scoped principal its own account\'s alerts and refuses the others', async () => {
    const own = await request(f.app).post('/api/v1/accounts/Other%20Account/alerts').set('authorization', f.otherOperator).send({ limit: -1 });
    assert.deepEqual(own.body.alerts.map((a: { message: string }) => a.message), ['someone else\'s', 'not synchronized for 30 days']);
    const denied = await request(f.app).post(`/api/v1${DEMO_PATH}/alerts`).set('authorization', f.otherOperator).send({ limit: -1 });
    assert.equal(denied.status, 403);
    assert.equal((await request(f.app).post(`/api/v1${DEMO_PATH}/alerts`).send({ limit: -1 })).status, 403);
    const bad = await request(f.app).post(`/api/v1${DEMO_PATH}/alerts`).set('authorization', f.viewer).send({ limit: 100000 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^body\.limit:/);
  });
});
