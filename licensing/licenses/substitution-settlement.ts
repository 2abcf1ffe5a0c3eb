import type { SubstitutionLadders } from '../catalog/substitution-ladders.js';

/** What a VA holds and uses of one tag, before substitution. */
export interface TierUsage {
  tag: string;
  purchased: number;
  /** Device-reported seats plus reserved seats. */
  inUse: number;
}

/** A tier after lending: balance = purchased − inUse + borrowed − lent (DESIGN §3). */
export interface SettledTier extends TierUsage {
  borrowed: number;
  lent: number;
  /** Signed: + borrowed from higher tiers, − lent to lower ones. */
  substitution: number;
  balance: number;
}

/**
 * Lending within one virtual account (DESIGN §8.2), recomputed from the numbers every time, never stored.
 * Each tier serves its own consumers first and lends only its surplus. Short tiers are settled from the
 * highest level down, each borrowing from its nearest higher lender with surplus first, then the next.
 */
export function settleSubstitution(tiers: readonly TierUsage[], ladders: SubstitutionLadders): Map<string, SettledTier> {
  const settled = new Map<string, SettledTier>(tiers.map((t) => [t.tag, { ...t, borrowed: 0, lent: 0, substitution: 0, balance: t.purchased - t.inUse }]));
  const short = [...settled.values()].filter((t) => t.balance < 0)
    .sort((a, b) => ladders.level(b.tag) - ladders.level(a.tag) || a.tag.localeCompare(b.tag));
  for (const borrower of short) {
    for (const lenderTag of ladders.lendersOf(borrower.tag)) {
      if (borrower.balance >= 0) break;
      const lender = settled.get(lenderTag);
      if (!lender || lender.balance <= 0) continue;
      const amount = Math.min(lender.balance, -borrower.balance);
      lender.lent += amount;
      lender.balance -= amount;
      borrower.borrowed += amount;
      borrower.balance += amount;
    }
  }
  for (const tier of settled.values()) tier.substitution = tier.borrowed - tier.lent;
  return settled;
}
