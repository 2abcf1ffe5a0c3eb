import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { CatalogEntry } from '../../../licensing/catalog/catalog-entry.js';
import { SubstitutionLadders } from '../../../licensing/catalog/substitution-ladders.js';
import { settleSubstitution, type TierUsage } from '../../../licensing/licenses/substitution-settlement.js';

const entry = (tag: string, level: number | null, substitutes: string[]): CatalogEntry => ({
  tag, displayName: tag, description: '', substitutionLevel: level, substitutes, origin: 'local', updatedAt: 0, updatedBy: 'test',
});

// UCM: Essential < Basic < Foundation < Enhanced < Enhanced Plus < CUWL (DESIGN §8.2).
const UCM = new SubstitutionLadders([
  entry('CUWL', 6, ['EnhancedPlus', 'Enhanced', 'Foundation', 'Basic', 'Essential']),
  entry('EnhancedPlus', 5, ['Enhanced', 'Foundation', 'Basic', 'Essential']),
  entry('Enhanced', 4, ['Foundation', 'Basic', 'Essential']),
  entry('Foundation', 3, ['Basic', 'Essential']),
  entry('Basic', 2, ['Essential']),
  entry('Essential', 1, []),
]);

function settle(tiers: TierUsage[], ladders = UCM) {
  const settled = settleSubstitution(tiers, ladders);
  return Object.fromEntries([...settled.values()].map((t) => [t.tag, { substitution: t.substitution, balance: t.balance }]));
}

describe('substitution (DESIGN §8.2), the seed example exactly', () => {
  it('100 CUWL, 10 CUWL + 50 Enhanced Plus in use: Enhanced Plus 0 (+50 from higher), CUWL 40 (-50 to lower)', () => {
    assert.deepEqual(settle([{ tag: 'CUWL', purchased: 100, inUse: 10 }, { tag: 'EnhancedPlus', purchased: 0, inUse: 50 }]), {
      CUWL: { substitution: -50, balance: 40 }, EnhancedPlus: { substitution: 50, balance: 0 },
    });
  });

  it('45 more CUWL: CUWL lends its remaining 45, Enhanced Plus is short by 5, CUWL at 0', () => {
    assert.deepEqual(settle([{ tag: 'CUWL', purchased: 100, inUse: 55 }, { tag: 'EnhancedPlus', purchased: 0, inUse: 50 }]), {
      CUWL: { substitution: -45, balance: 0 }, EnhancedPlus: { substitution: 45, balance: -5 },
    });
  });

  it('91 more CUWL instead: CUWL itself is short and lends nothing', () => {
    assert.deepEqual(settle([{ tag: 'CUWL', purchased: 100, inUse: 101 }, { tag: 'EnhancedPlus', purchased: 0, inUse: 50 }]), {
      CUWL: { substitution: 0, balance: -1 }, EnhancedPlus: { substitution: 0, balance: -50 },
    });
  });
});

describe('substitution: chains, order and limits', () => {
  it('a short tier borrows from the nearest higher lender first, then the next (3 tiers, two lenders)', () => {
    assert.deepEqual(settle([
      { tag: 'CUWL', purchased: 10, inUse: 0 }, { tag: 'EnhancedPlus', purchased: 5, inUse: 0 }, { tag: 'Enhanced', purchased: 0, inUse: 12 },
    ]), {
      CUWL: { substitution: -7, balance: 3 }, EnhancedPlus: { substitution: -5, balance: 0 }, Enhanced: { substitution: 12, balance: 0 },
    });
  });

  it('settles short tiers from the highest down, so a higher tier gets the top lender first', () => {
    assert.deepEqual(settle([
      { tag: 'CUWL', purchased: 10, inUse: 0 }, { tag: 'EnhancedPlus', purchased: 0, inUse: 8 }, { tag: 'Basic', purchased: 0, inUse: 8 },
    ]), {
      CUWL: { substitution: -10, balance: 0 }, EnhancedPlus: { substitution: 8, balance: 0 }, Basic: { substitution: 2, balance: -6 },
    });
  });

  it('a lender that is itself short lends nothing; a lower tier never lends upwards', () => {
    assert.deepEqual(settle([
      { tag: 'EnhancedPlus', purchased: 5, inUse: 6 }, { tag: 'Enhanced', purchased: 0, inUse: 2 }, { tag: 'Essential', purchased: 50, inUse: 0 },
    ]), {
      EnhancedPlus: { substitution: 0, balance: -1 }, Enhanced: { substitution: 0, balance: -2 }, Essential: { substitution: 0, balance: 50 },
    });
  });

  it('lends through a ladder written step by step (each tier naming only the next), with levels derived when absent', () => {
    const chain = new SubstitutionLadders([entry('High', null, ['Mid']), entry('Mid', null, ['Low'])]);
    assert.equal(chain.level('High'), 2);
    assert.deepEqual(chain.lendersOf('Low'), ['Mid', 'High']);
    assert.deepEqual(settle([{ tag: 'High', purchased: 4, inUse: 0 }, { tag: 'Low', purchased: 0, inUse: 3 }], chain), {
      High: { substitution: -3, balance: 1 }, Low: { substitution: 3, balance: 0 },
    });
  });

  it('survives a cycle in upstream data: nobody lends to an equal or higher level', () => {
    const loop = new SubstitutionLadders([entry('A', 1, ['B']), entry('B', 1, ['A'])]);
    assert.deepEqual(settle([{ tag: 'A', purchased: 5, inUse: 0 }, { tag: 'B', purchased: 0, inUse: 2 }], loop), {
      A: { substitution: 0, balance: 5 }, B: { substitution: 0, balance: -2 },
    });
  });
});
