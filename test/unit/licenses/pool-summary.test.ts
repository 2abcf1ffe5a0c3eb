import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { emptyLadders } from '../../../licensing/catalog/substitution-ladders.js';
import type { LicenseLine } from '../../../licensing/licenses/license-line.js';
import type { PoolUsage } from '../../../licensing/licenses/license-pool.js';
import { settlePools } from '../../../licensing/licenses/pool-evaluator.js';
import { aggregateAccount, summarizePools, type PoolView } from '../../../licensing/licenses/pool-summary.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

function line(id: string, va: string, tag: string, quantity: number, extra: Partial<LicenseLine> = {}): LicenseLine {
  return {
    id, virtualAccountId: va, tag, displayName: `Name of ${tag}`, description: '', quantity, licenseType: 'PERPETUAL',
    startsAt: NOW - DAY, endsAt: null, substitutionLadder: [], substitutionLevel: null, origin: 'local', createdAt: NOW - DAY,
    ...extra,
  };
}

function summarize(va: string, lines: LicenseLine[], usage: Array<PoolUsage & { tag: string }>): PoolView[] {
  const tags = new Set([...lines.map((l) => l.tag), ...usage.map((u) => u.tag)]);
  const inputs = [...tags].map((tag) => ({
    tag, lines: lines.filter((l) => l.tag === tag), usage: usage.find((u) => u.tag === tag) ?? { authorized: 0, requested: 0, reserved: 0 },
  }));
  return summarizePools(va, settlePools(inputs, emptyLadders, NOW), emptyLadders, NOW);
}

describe('summarizePools (one VA)', () => {
  it('computes purchased from active lines, in use from reported + reserved seats, balance and status', () => {
    const lines = [
      line('1', 'va', 'A', 10),
      line('2', 'va', 'A', 5, { endsAt: NOW - 1 }),
      line('3', 'va', 'A', 7, { startsAt: NOW + DAY }),
      line('4', 'va', 'A', -3, { origin: 'transfer', transfer: { transferId: 't', sourceLineId: '1' } }),
    ];
    const [pool, ...rest] = summarize('va', lines, [{ tag: 'A', authorized: 4, requested: 6, reserved: 1 }]);
    assert.equal(rest.length, 0);
    assert.ok(pool);
    assert.deepEqual({ ...pool, lines: pool.lines.map((l) => l.id) }, {
      virtualAccountId: 'va', tag: 'A', purchased: 7, consumed: 6, inUse: 7, reserved: 1, borrowed: 0, lent: 0, substitution: 0, balance: 0,
      status: 'IN_COMPLIANCE', displayName: 'Name of A', description: '', billing: 'Prepaid', lines: ['1', '2', '3', '4'], alerts: [],
    });
  });

  it('is INSUFFICIENT with a negative balance when more is in use than purchased, and keeps tags whose lines ended', () => {
    const pools = summarize('va', [line('1', 'va', 'B', 2, { endsAt: NOW })], [{ tag: 'B', authorized: 0, requested: 1, reserved: 0 }]);
    assert.deepEqual(pools.map((p) => [p.tag, p.purchased, p.inUse, p.balance, p.status, p.billing]), [['B', 0, 1, -1, 'INSUFFICIENT', '-']]);
  });

  it('lists usage without lines under the tag itself', () => {
    const pools = summarize('va', [], [{ tag: 'X', authorized: 0, requested: 2, reserved: 0 }]);
    assert.deepEqual(pools.map((p) => [p.displayName, p.purchased, p.balance, p.status]), [['X', 0, -2, 'INSUFFICIENT']]);
  });

  it('names a tag after its newest active line', () => {
    const pools = summarize('va', [
      line('1', 'va', 'A', 1, { displayName: 'Old', createdAt: NOW - 3 * DAY }),
      line('2', 'va', 'A', 1, { displayName: 'New', createdAt: NOW - 2 * DAY }),
      line('3', 'va', 'A', 1, { displayName: 'Ended', createdAt: NOW - DAY, endsAt: NOW - 1 }),
    ], []);
    assert.equal(pools[0]?.displayName, 'New');
  });
});

describe('aggregateAccount (one row per tag per account)', () => {
  it('adds the VAs up: quantity, in use, available = the sum of balances', () => {
    const pools = [
      ...summarize('va1', [line('1', 'va1', 'A', 10), line('2', 'va1', 'B', 1, { licenseType: 'SUBSCRIPTION', endsAt: NOW + DAY })],
        [{ tag: 'A', authorized: 3, requested: 3, reserved: 0 }]),
      ...summarize('va2', [line('3', 'va2', 'A', 5)], [{ tag: 'A', authorized: 1, requested: 1, reserved: 1 }]),
    ];
    assert.deepEqual(aggregateAccount(pools).map(({ alerts: _alerts, ...row }) => row), [
      { tag: 'A', displayName: 'Name of A', billing: 'Prepaid', quantity: 15, consumed: 4, reserved: 1, inUse: 5, borrowed: 0, lent: 0,
        substitution: 0, available: 10, status: 'IN_COMPLIANCE' },
      { tag: 'B', displayName: 'Name of B', billing: 'Subscription', quantity: 1, consumed: 0, reserved: 0, inUse: 0, borrowed: 0, lent: 0,
        substitution: 0, available: 1, status: 'IN_COMPLIANCE' },
    ]);
  });

  it('is out of compliance when one VA is short even though the account total would cover it', () => {
    const pools = [
      ...summarize('va1', [line('1', 'va1', 'A', 1)], [{ tag: 'A', authorized: 1, requested: 3, reserved: 0 }]),
      ...summarize('va2', [line('2', 'va2', 'A', 10)], []),
    ];
    const [row] = aggregateAccount(pools);
    assert.deepEqual([row?.quantity, row?.inUse, row?.available, row?.status], [11, 3, 8, 'INSUFFICIENT']);
  });

  it('counts a transfer pair once: the account total does not change', () => {
    const transfer = { transferId: 't', sourceLineId: '1' };
    const before = aggregateAccount(summarize('va1', [line('1', 'va1', 'A', 10)], []));
    const after = aggregateAccount([
      ...summarize('va1', [line('1', 'va1', 'A', 10), line('2', 'va1', 'A', -4, { origin: 'transfer', transfer })], []),
      ...summarize('va2', [line('3', 'va2', 'A', 4, { origin: 'transfer', transfer })], []),
    ]);
    assert.deepEqual(after, before);
  });
});
