import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { findDuplicateUpstreamId, reconcileUpstreamLines } from '../../../licensing/sync-import/reconcile-upstream-lines.js';
import type { StoredUpstreamLine } from '../../../licensing/sync-import/upstream-snapshot.js';

const line = (upstreamLineId: string, overrides: Partial<StoredUpstreamLine> = {}): StoredUpstreamLine => ({
  id: `local-${upstreamLineId}`, upstreamLineId, virtualAccountId: 'va', tag: 't', displayName: 'T', description: '', quantity: 1,
  licenseType: 'PERPETUAL', startsAt: 0, endsAt: null, revision: 1, ...overrides,
});

describe('reconcileUpstreamLines: by upstream id, never revoke and reissue', () => {
  it('inserts new lines, updates changed ones under their local id, leaves equal ones alone', () => {
    const plan = reconcileUpstreamLines(
      [line('a'), line('b')],
      [line('a', { id: 'fresh-a' }), line('b', { id: 'fresh-b', quantity: 9, revision: 2 }), line('c', { id: 'fresh-c' })],
      1000,
    );
    assert.deepEqual(plan.insert.map((l) => l.id), ['fresh-c']);
    assert.deepEqual(plan.update.map((l) => [l.id, l.quantity]), [['local-b', 9]]);
    assert.deepEqual(plan.end, []);
  });

  it('ends lines missing from the snapshot at now, but not lines already over', () => {
    const plan = reconcileUpstreamLines([line('a'), line('old', { endsAt: 500 }), line('later', { endsAt: 5000 })], [], 1000);
    assert.deepEqual(plan.end.map((l) => [l.upstreamLineId, l.endsAt]), [['a', 1000], ['later', 1000]]);
  });

  it('finds duplicate upstream ids', () => {
    assert.equal(findDuplicateUpstreamId([line('a'), line('b'), line('a')]), 'a');
    assert.equal(findDuplicateUpstreamId([line('a')]), null);
  });
});
