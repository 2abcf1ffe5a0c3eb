import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { UpstreamOrderLine } from '../../../licensing/upstream/order-line.js';
import { catalogOf } from '../../../sync/upstream/response-bundle-writer.js';

const line = (orderLineId: string, overrides: Partial<UpstreamOrderLine> = {}): UpstreamOrderLine => ({
  orderLineId, smartAccount: 'Acme', virtualAccount: 'Default', virtualAccountId: 'va', tag: 'regid.t', displayName: orderLineId,
  description: '', quantity: 1, licenseType: 'PERPETUAL', startsAt: 0, endsAt: null, substitutionLadder: [], substitutionLevel: null,
  loadedAt: 0, updatedAt: 100, revision: 1, endedAt: null, ...overrides,
});

describe('catalogOf: one entry per tag, the same books give the same catalog', () => {
  it('an ended line does not name the tag, however recently it was updated', () => {
    const [entry] = catalogOf([line('A'), line('Z', { endedAt: 500, updatedAt: 500 })], 1000);
    assert.equal(entry?.display_name, 'A');
  });

  it('among lines in force the most recently updated names it; a tie goes to the lowest order line id, in any order', () => {
    assert.equal(catalogOf([line('B', { updatedAt: 200 }), line('A')], 1000)[0]?.display_name, 'B');
    assert.equal(catalogOf([line('B'), line('A')], 1000)[0]?.display_name, 'A');
    assert.equal(catalogOf([line('A'), line('B')], 1000)[0]?.display_name, 'A');
  });
});
