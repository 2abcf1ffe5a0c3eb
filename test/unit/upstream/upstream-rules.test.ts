import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { effectiveEnd, type OrderLineTerms, type UpstreamOrderLine } from '../../../licensing/upstream/order-line.js';
import { reconcileOrderLines } from '../../../licensing/upstream/order-reconciliation.js';
import { isDueForRetirement, SATELLITE_RETIREMENT_MS } from '../../../licensing/upstream/registered-satellite.js';

const terms = (id: string, changes: Partial<OrderLineTerms> = {}): OrderLineTerms => ({
  orderLineId: id, smartAccount: 'Acme', virtualAccount: 'Default', tag: 'regid.2016-07.com.cisco.X,1.0_00000000-0000-0000-0000-000000000000',
  displayName: 'X', description: '', quantity: 10, licenseType: 'PERPETUAL', startsAt: 0, endsAt: null, substitutionLadder: [], substitutionLevel: null,
  ...changes,
});
const stored = (id: string, changes: Partial<UpstreamOrderLine> = {}): UpstreamOrderLine => ({
  ...terms(id), virtualAccountId: 'va', loadedAt: 0, updatedAt: 0, revision: 1, endedAt: null, ...changes,
});

describe('order reconciliation', () => {
  it('inserts new ids, updates changed terms, ends missing lines and leaves the rest', () => {
    const existing = [stored('A'), stored('B'), stored('C'), stored('D', { endedAt: 5 }), stored('E', { endedAt: 5 })];
    const plan = reconcileOrderLines(existing, [terms('A'), terms('B', { quantity: 12 }), terms('D'), terms('F')]);
    assert.deepEqual(plan.inserted.map((l) => l.orderLineId), ['F']);
    assert.deepEqual(plan.updated.map((u) => [u.before.orderLineId, u.after.quantity]), [['B', 12], ['D', 10]], 'D is listed again: reactivated');
    assert.deepEqual(plan.ended.map((l) => l.orderLineId), ['C'], 'E was already ended and stays so');
    assert.equal(plan.unchanged, 1);
  });

  it('sees a change in the substitution ladder or the virtual account', () => {
    const plan = reconcileOrderLines([stored('A'), stored('B')], [terms('A', { substitutionLadder: ['t'] }), terms('B', { virtualAccount: 'Lab' })]);
    assert.equal(plan.updated.length, 2);
  });

  it('ends a line at its own end or when the file dropped it, whichever is first', () => {
    assert.equal(effectiveEnd({ endsAt: null, endedAt: null }), null);
    assert.equal(effectiveEnd({ endsAt: 9, endedAt: null }), 9);
    assert.equal(effectiveEnd({ endsAt: null, endedAt: 4 }), 4);
    assert.equal(effectiveEnd({ endsAt: 9, endedAt: 4 }), 4);
  });
});

describe('satellite retirement rule', () => {
  it('retires after 90 days without sync, counting from registration when it never synced', () => {
    assert.equal(SATELLITE_RETIREMENT_MS, 90 * MS_PER_DAY);
    const never = { registeredAt: 0, lastSyncAt: null, retiredAt: null };
    assert.equal(isDueForRetirement(never, 90 * MS_PER_DAY - 1), false);
    assert.equal(isDueForRetirement(never, 90 * MS_PER_DAY), true);
    const synced = { registeredAt: 0, lastSyncAt: 50 * MS_PER_DAY, retiredAt: null };
    assert.equal(isDueForRetirement(synced, 139 * MS_PER_DAY), false);
    assert.equal(isDueForRetirement(synced, 140 * MS_PER_DAY), true);
    assert.equal(isDueForRetirement({ ...never, retiredAt: 1 }, 1000 * MS_PER_DAY), false, 'a retired satellite is not retired twice');
  });
});
