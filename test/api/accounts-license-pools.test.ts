import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import {
  DEMO, DEMO_PATH, deviceUsing, inventorySatellite, PREFIXES, START, TAG_A, TAG_B, type InventoryFixture,
} from '../support/inventory-fixture.js';

const iso = (ms: number) => new Date(ms).toISOString();
const POOLS = `${DEMO_PATH}/virtual-accounts/Default/licenses`;
const LINES = `${DEMO_PATH}/virtual-accounts/Default/license-lines`;

describe('admin API: license pools of a virtual account', () => {
  let f: InventoryFixture;
  let lineIds: Map<string, string>;
  beforeAll(async () => {
    f = await inventorySatellite();
    await deviceUsing(f, TAG_A, 3);
    const va = f.app.satellite.inventory.findVirtualAccount(DEMO, 'Default');
    lineIds = new Map(f.app.satellite.uow.read((r) => r.licenses.listLines(va.id)).map((l) => [l.tag, l.id]));
  });
  afterAll(() => f.app.close());

  for (const prefix of PREFIXES) {
    it(`answers per tag the seeds' columns (billing, purchased, in use with reserved, substitution, balance, alerts), status and the lines behind it under ${prefix}`, async () => {
      const res = await request(f.app).get(`${prefix}${POOLS}`).set('authorization', f.viewer);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {
        licenses: [
          {
            license: 'DNA Advantage', tag: TAG_B, billing: 'Prepaid', purchased: 10, inUse: 0, consumed: 0, reserved: 0, inUseLabel: '0',
            borrowed: 0, lent: 0, substitution: 0, substitutionLabel: '-', balance: 10, status: 'In Compliance', alerts: [],
            lines: [{ id: lineIds.get(TAG_B), displayName: 'DNA Advantage', quantity: 10, type: 'TERM', start: iso(START), end: iso(START + 180 * MS_PER_DAY), active: true, origin: 'local', transferId: null }],
          },
          {
            license: 'UCM Enhanced', tag: TAG_A, billing: 'Prepaid', purchased: 100, inUse: 3, consumed: 3, reserved: 0, inUseLabel: '3',
            borrowed: 0, lent: 0, substitution: 0, substitutionLabel: '-', balance: 97, status: 'In Compliance', alerts: [],
            lines: [{ id: lineIds.get(TAG_A), displayName: 'UCM Enhanced', quantity: 100, type: 'PERPETUAL', start: iso(START), end: null, active: true, origin: 'local', transferId: null }],
          },
        ],
      });
    });
  }

  it('adds a local license line (operator, 201): numbers as strings, ISO dates; a future line is listed but not counted', async () => {
    const res = await request(f.app).post(`/api/v1${LINES}`).set('authorization', f.operator).send({
      tag: TAG_A, displayName: 'UCM Enhanced', quantity: '7', type: 'TERM', start: iso(START), end: '2027-11-23T12:00:00Z',
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body, {
      line: { id: res.body.line.id, displayName: 'UCM Enhanced', quantity: 7, type: 'TERM', start: iso(START), end: '2027-11-23T12:00:00.000Z', active: true, origin: 'local', transferId: null },
    });
    const future = await request(f.app).post(`/backend/api/v1${LINES}`).set('authorization', f.operator).send({
      tag: TAG_A, displayName: 'UCM Enhanced', quantity: 50, start: START + MS_PER_DAY,
    });
    assert.equal(future.status, 201, future.text);
    assert.equal(future.body.line.active, false);
    const pools = await request(f.app).get(`/api/v1${POOLS}`).set('authorization', f.viewer);
    const ucm = pools.body.licenses.find((p: { tag: string }) => p.tag === TAG_A);
    assert.deepEqual([ucm.purchased, ucm.balance, ucm.lines.length], [107, 104, 3]);
    const events = f.app.satellite.uow.read((r) => r.events.list({ type: 'LICENSE_LINE_ADDED', limit: 1, offset: 0 }));
    assert.match(String(events[0]?.actorId), /^test-operator-/);
  });

  for (const [body, field] of [
    [{ tag: TAG_A, displayName: 'X', quantity: 0 }, 'body.quantity'],
    [{ tag: TAG_A, displayName: 'X', quantity: 'many' }, 'body.quantity'],
    [{ tag: TAG_A, displayName: 'X', quantity: 1, type: 'FOREVER' }, 'body.type'],
    [{ tag: TAG_A, displayName: 'X', quantity: 1, start: 'yesterday' }, 'body.start'],
    [{ tag: '', displayName: 'X', quantity: 1 }, 'body.tag'],
    [{ tag: TAG_A, quantity: 1 }, 'body.displayName'],
  ] as const) {
    it(`refuses a line with a bad ${field} (400)`, async () => {
      const res = await request(f.app).post(`/api/v1${LINES}`).set('authorization', f.operator).send(body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error.message, new RegExp(`^${field.replace('.', '\\.')}:`));
    });
  }

  it('refuses an end before the start, a viewer, another account\'s scope, and no credentials', async () => {
    const backwards = await request(f.app).post(`/api/v1${LINES}`).set('authorization', f.operator)
      .send({ tag: TAG_A, displayName: 'X', quantity: 1, start: '2027-01-01', end: '2026-12-01' });
    assert.equal(backwards.status, 400);
    assert.equal(backwards.body.error.details.field, 'end');
    const line = { tag: TAG_A, displayName: 'X', quantity: 1 };
    assert.equal((await request(f.app).post(`/api/v1${LINES}`).set('authorization', f.viewer).send(line)).status, 403);
    assert.equal((await request(f.app).post(`/api/v1${LINES}`).set('authorization', f.otherOperator).send(line)).status, 403);
    assert.equal((await request(f.app).get(`/api/v1${POOLS}`).set('authorization', f.otherOperator)).status, 403);
    assert.equal((await request(f.app).get(`/api/v1${POOLS}`)).status, 403);
  });
});
