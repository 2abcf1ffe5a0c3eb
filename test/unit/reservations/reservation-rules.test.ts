import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { LicenseLine } from '../../../licensing/licenses/license-line.js';
import { checkAsks, checkBalance, drawnLine, heldDeltas, isoDate, pendingLicenses } from '../../../licensing/reservations/reservation-rules.js';

const line = (over: Partial<LicenseLine>): LicenseLine => ({
  id: 'l', virtualAccountId: 'va', tag: 'T', displayName: 'Thing', description: '', quantity: 10, licenseType: 'PERPETUAL',
  startsAt: 0, endsAt: null, substitutionLadder: [], substitutionLevel: null, origin: 'local', createdAt: 0, ...over,
});

describe('reservation rules (DESIGN §9.2)', () => {
  it('refuses zero, negative, fractional and repeated asks, and a PLR of more than one seat', () => {
    assert.throws(() => checkAsks('SPECIFIC', []), /at least one license/);
    assert.throws(() => checkAsks('SPECIFIC', [{ tag: 'T', quantity: 0 }]), /got 0/);
    assert.throws(() => checkAsks('SPECIFIC', [{ tag: 'T', quantity: -1 }]), /got -1/);
    assert.throws(() => checkAsks('SPECIFIC', [{ tag: 'T', quantity: 2.5 }]), /got 2.5/);
    assert.throws(() => checkAsks('SPECIFIC', [{ tag: 'T', quantity: 1 }, { tag: 'T', quantity: 1 }]), /listed twice/);
    assert.throws(() => checkAsks('UNIVERSAL', [{ tag: 'T', quantity: 2 }]), /one seat of one license/);
    checkAsks('UNIVERSAL', [{ tag: 'T', quantity: 1 }]);
  });

  it('holds the larger of old and new per tag while an update is in transit', () => {
    const pending = pendingLicenses([{ tag: 'A', quantity: 4, pendingQuantity: null }, { tag: 'B', quantity: 2, pendingQuantity: null }],
      [{ tag: 'A', quantity: 6 }, { tag: 'C', quantity: 1 }]);
    assert.deepEqual(pending, [
      { tag: 'A', quantity: 4, pendingQuantity: 6 }, { tag: 'B', quantity: 2, pendingQuantity: 0 }, { tag: 'C', quantity: 0, pendingQuantity: 1 },
    ]);
    assert.deepEqual([...heldDeltas([{ tag: 'A', quantity: 4, pendingQuantity: null }, { tag: 'B', quantity: 2, pendingQuantity: null }], pending)],
      [['A', 2], ['B', 0], ['C', 1]]);
  });

  it('draws on the earliest-ending active line, perpetual last, and names asked and available when short', () => {
    const now = 100;
    const lines = [line({ id: 'perp' }), line({ id: 'term', endsAt: 500, licenseType: 'TERM' }), line({ id: 'ended', endsAt: 50 })];
    assert.equal(drawnLine(lines, 'T', 'Lab', now).id, 'term');
    assert.throws(() => drawnLine([line({ endsAt: 50 })], 'T', 'Lab', now), /Lab holds no active license T/);
    assert.throws(() => checkBalance(line({}), 7, 7, 6), (e: Error & { details?: unknown }) =>
      /cannot reserve 7 of Thing \(T\): 6 available/.test(e.message) && JSON.stringify(e.details) === JSON.stringify({ tag: 'T', license: 'Thing', asked: 7, available: 6 }));
    // An update from 4 to 10 needs 6 more; with 3 left the reservation can have 7.
    assert.throws(() => checkBalance(line({}), 10, 6, 3), /cannot reserve 10 of Thing \(T\): 7 available/);
    checkBalance(line({}), 6, 2, 2);
    assert.equal(isoDate(Date.UTC(2027, 0, 31, 23)), '2027-01-31');
    assert.equal(isoDate(null), '');
  });
});
