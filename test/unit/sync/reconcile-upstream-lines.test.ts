import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { findDuplicateUpstreamId, reconcileUpstreamLines } from '../../../licensing/sync-import/reconcile-upstream-lines.js';
import type { StoredUpstreamLine } from '../../../licensing/sync-import/upstream-snapshot.js';

const line = (upstreamLineId: string, overrides: Partial<StoredUpstreamLine> = {}): StoredUpstreamLine => ({
  id: `local-${upstreamLineId}`, upstreamLineId, virtualAccountId: 'va', tag: 't', displayName: 'T', description: '', quantity: 1,
  licenseType: 'PERPETUAL', startsAt: 0, endsAt: null, revision: 1, substitutionLadder: [], ...overrides,
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

  it('counts a line the upstream ended as ended, not updated; a later end date or an already-over line is an update', () => {
    const plan = reconcileUpstreamLines(
      [line('ended'), line('endsLater'), line('over', { endsAt: 500 })],
      [line('ended', { endsAt: 900, revision: 2 }), line('endsLater', { endsAt: 5000, revision: 2 }), line('over', { endsAt: 400, revision: 2 })],
      1000,
    );
    assert.deepEqual(plan.end.map((l) => [l.id, l.endsAt]), [['local-ended', 900]]);
    assert.deepEqual(plan.update.map((l) => l.id), ['local-endsLater', 'local-over']);
    const again = reconcileUpstreamLines(plan.end, [line('ended', { endsAt: 900, revision: 2 })], 2000);
    assert.deepEqual([again.insert, again.update, again.end], [[], [], []], 'the next, unchanged snapshot changes nothing');
  });

  it('finds duplicate upstream ids', () => {
    assert.equal(findDuplicateUpstreamId([line('a'), line('b'), line('a')]), 'a');
    assert.equal(findDuplicateUpstreamId([line('a')]), null);
  });
});
