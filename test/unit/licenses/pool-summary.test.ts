import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { LicenseLine } from '../../../licensing/licenses/license-line.js';
import { aggregateAccount, summarizePools } from '../../../licensing/licenses/pool-summary.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

function line(id: string, va: string, tag: string, quantity: number, extra: Partial<LicenseLine> = {}): LicenseLine {
  return {
    id, virtualAccountId: va, tag, displayName: `Name of ${tag}`, description: '', quantity, licenseType: 'PERPETUAL',
    startsAt: NOW - DAY, endsAt: null, substitutionLadder: [], substitutionLevel: null, origin: 'local', createdAt: NOW - DAY,
    ...extra,
  };
}

describe('summarizePools (one VA)', () => {
  it('computes purchased from active lines, in use from authorized + reserved, balance and status', () => {
    const lines = [
      line('1', 'va', 'A', 10),
      line('2', 'va', 'A', 5, { endsAt: NOW - 1 }),
      line('3', 'va', 'A', 7, { startsAt: NOW + DAY }),
      line('4', 'va', 'A', -3, { origin: 'transfer', transfer: { transferId: 't', sourceLineId: '1' } }),
    ];
    const [pool, ...rest] = summarizePools('va', lines, [{ tag: 'A', authorized: 4, requested: 6, reserved: 1 }], NOW);
    assert.equal(rest.length, 0);
    assert.ok(pool);
    assert.deepEqual({ ...pool, lines: pool.lines.map((l) => l.id) }, {
      virtualAccountId: 'va', tag: 'A', purchased: 7, inUse: 5, requested: 6, reserved: 1, balance: 2,
      status: 'IN_COMPLIANCE', displayName: 'Name of A', description: '', lines: ['1', '2', '3', '4'],
    });
  });

  it('is INSUFFICIENT when requested + reserved exceed purchased, and keeps tags whose lines ended', () => {
    const pools = summarizePools('va', [line('1', 'va', 'B', 2, { endsAt: NOW })], [{ tag: 'B', authorized: 0, requested: 1, reserved: 0 }], NOW);
    assert.deepEqual(pools.map((p) => [p.tag, p.purchased, p.balance, p.status]), [['B', 0, 0, 'INSUFFICIENT']]);
  });

  it('lists usage without lines under the tag itself', () => {
    const pools = summarizePools('va', [], [{ tag: 'X', authorized: 0, requested: 2, reserved: 0 }], NOW);
    assert.deepEqual(pools.map((p) => [p.displayName, p.purchased, p.status]), [['X', 0, 'INSUFFICIENT']]);
  });

  it('names a tag after its newest active line', () => {
    const pools = summarizePools('va', [
      line('1', 'va', 'A', 1, { displayName: 'Old', createdAt: NOW - 3 * DAY }),
      line('2', 'va', 'A', 1, { displayName: 'New', createdAt: NOW - 2 * DAY }),
      line('3', 'va', 'A', 1, { displayName: 'Ended', createdAt: NOW - DAY, endsAt: NOW - 1 }),
    ], [], NOW);
    assert.equal(pools[0]?.displayName, 'New');
  });
});

describe('aggregateAccount (one row per tag per account)', () => {
  it('adds the VAs up: quantity, in use, available', () => {
    const pools = [
      ...summarizePools('va1', [line('1', 'va1', 'A', 10), line('2', 'va1', 'B', 1)], [{ tag: 'A', authorized: 3, requested: 3, reserved: 0 }], NOW),
      ...summarizePools('va2', [line('3', 'va2', 'A', 5)], [{ tag: 'A', authorized: 1, requested: 1, reserved: 1 }], NOW),
    ];
    assert.deepEqual(aggregateAccount(pools), [
      { tag: 'A', displayName: 'Name of A', quantity: 15, inUse: 5, available: 10, requested: 4, reserved: 1, status: 'IN_COMPLIANCE' },
      { tag: 'B', displayName: 'Name of B', quantity: 1, inUse: 0, available: 1, requested: 0, reserved: 0, status: 'IN_COMPLIANCE' },
    ]);
  });

  it('is out of compliance when one VA is short even though the account total would cover it', () => {
    const pools = [
      ...summarizePools('va1', [line('1', 'va1', 'A', 1)], [{ tag: 'A', authorized: 1, requested: 3, reserved: 0 }], NOW),
      ...summarizePools('va2', [line('2', 'va2', 'A', 10)], [], NOW),
    ];
    const [row] = aggregateAccount(pools);
    assert.equal(row?.quantity, 11);
    assert.equal(row?.status, 'INSUFFICIENT');
  });

  it('counts a transfer pair once: the account total does not change', () => {
    const transfer = { transferId: 't', sourceLineId: '1' };
    const before = aggregateAccount(summarizePools('va1', [line('1', 'va1', 'A', 10)], [], NOW));
    const after = aggregateAccount([
      ...summarizePools('va1', [line('1', 'va1', 'A', 10), line('2', 'va1', 'A', -4, { origin: 'transfer', transfer })], [], NOW),
      ...summarizePools('va2', [line('3', 'va2', 'A', 4, { origin: 'transfer', transfer })], [], NOW),
    ]);
    assert.deepEqual(after, before);
  });
});
