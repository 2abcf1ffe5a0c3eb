import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { changedPoolTags } from '../../../licensing/device/usage-ledger.js';
import type { InstanceEntitlement } from '../../../licensing/instances/product-instance.js';

const e = (tag: string, requested: number, status: InstanceEntitlement['status'] = 'AUTHORIZED'): InstanceEntitlement => ({
  tag, requested, authorized: status === 'AUTHORIZED' ? requested : 0, status, updatedAt: 0,
});

describe('changedPoolTags: which pools an AUTHORIZE report changed', () => {
  it('is empty for a steady-state renewal, so the alert rules cost nothing', () => {
    assert.deepEqual(changedPoolTags([e('A', 3), e('B', 1)], [e('A', 3), e('B', 1, 'OUT_OF_COMPLIANCE')]), []);
  });

  it('names tags whose requested count changed, appeared or disappeared', () => {
    assert.deepEqual(changedPoolTags([e('A', 3), e('B', 1)], [e('A', 4), e('C', 2)]).sort(), ['A', 'B', 'C']);
  });

  it('counts INVALID_TAG entitlements too (their seats show in the pool), but not a status change or a zero count', () => {
    assert.deepEqual(changedPoolTags([e('X', 2, 'INVALID_TAG')], [e('X', 5, 'INVALID_TAG'), e('Y', 0)]), ['X']);
    assert.deepEqual(changedPoolTags([e('X', 2, 'INVALID_TAG')], [e('X', 2)]), []);
  });
});
