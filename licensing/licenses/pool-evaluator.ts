import type { SubstitutionLadders } from '../catalog/substitution-ladders.js';
import type { Repositories } from '../shared/unit-of-work.js';
import { isLineActive, type LicenseLine } from './license-line.js';
import type { PoolUsage } from './license-pool.js';
import { settleSubstitution, type SettledTier } from './substitution-settlement.js';

/** One VA's pool for one tag as the rules of DESIGN §8 see it, substitution included. */
export interface PoolState extends SettledTier {
  /** Seats the VA's registered product instances last reported. */
  consumed: number;
  reserved: number;
  /** Every line the VA ever held for the tag, active or not. */
  lines: LicenseLine[];
}

/**
 * The pools of these tags in a VA, with every tier that shares a ladder with them (their balances depend on
 * each other). Reads two rows per tier, so AUTHORIZE costs O(tags in the report × ladder size), never
 * O(product instances): usage is kept per pool in pool_usage.
 */
export function evaluateTags(repos: Repositories, virtualAccountId: string, tags: readonly string[], now: number): {
  pools: Map<string, PoolState>; ladders: SubstitutionLadders;
} {
  const ladders = repos.catalog.ladders();
  const needed = new Set<string>();
  for (const tag of tags) for (const member of ladders.group(tag)) needed.add(member);
  const inputs = [...needed].map((tag) => ({
    tag, lines: repos.licenses.listLinesForTag(virtualAccountId, tag), usage: repos.licenses.getUsage(virtualAccountId, tag),
  }));
  return { pools: settlePools(inputs, ladders, now), ladders };
}

/** Every pool of a VA that has lines or usage, settled together. */
export function evaluateVirtualAccount(repos: Repositories, virtualAccountId: string, now: number): {
  pools: Map<string, PoolState>; ladders: SubstitutionLadders;
} {
  const ladders = repos.catalog.ladders();
  const lines = new Map<string, LicenseLine[]>();
  for (const line of repos.licenses.listLines(virtualAccountId)) lines.set(line.tag, [...(lines.get(line.tag) ?? []), line]);
  const usage = new Map(repos.licenses.listUsage(virtualAccountId).map((u) => [u.tag, u]));
  const tags = new Set([...lines.keys(), ...usage.keys()]);
  const inputs = [...tags].map((tag) => ({ tag, lines: lines.get(tag) ?? [], usage: usage.get(tag) ?? ZERO }));
  return { pools: settlePools(inputs, ladders, now), ladders };
}

/** Whether the VA holds, or once held, the tag or a tier that may stand in for it (else INVALID_TAG). */
export function holdsTagOrTier(pools: ReadonlyMap<string, PoolState>, ladders: SubstitutionLadders, tag: string): boolean {
  if ((pools.get(tag)?.lines.length ?? 0) > 0) return true;
  return ladders.lendersOf(tag).some((lender) => (pools.get(lender)?.lines.length ?? 0) > 0);
}

/** Names come from an active line when there is one (the newest), else from the newest line at all. */
export function describingLine(lines: readonly LicenseLine[], now: number): LicenseLine | undefined {
  let active: LicenseLine | undefined;
  let any: LicenseLine | undefined;
  for (const line of lines) {
    if (!any || line.createdAt >= any.createdAt) any = line;
    if (isLineActive(line, now) && (!active || line.createdAt >= active.createdAt)) active = line;
  }
  return active ?? any;
}

export function purchasedAt(lines: readonly LicenseLine[], at: number): number {
  let total = 0;
  for (const line of lines) if (isLineActive(line, at)) total += line.quantity;
  return total;
}

const ZERO: PoolUsage = { authorized: 0, requested: 0, reserved: 0 };

/** Pure: pools from their lines and usage counters, settled together (what evaluateTags reads, for tests and views). */

export function settlePools(
  inputs: ReadonlyArray<{ tag: string; lines: LicenseLine[]; usage: PoolUsage }>, ladders: SubstitutionLadders, now: number,
): Map<string, PoolState> {
  const settled = settleSubstitution(inputs.map(({ tag, lines, usage }) => ({
    tag, purchased: purchasedAt(lines, now), inUse: usage.requested + usage.reserved,
  })), ladders);
  const pools = new Map<string, PoolState>();
  for (const { tag, lines, usage } of inputs) {
    const tier = settled.get(tag);
    if (tier) pools.set(tag, { ...tier, consumed: usage.requested, reserved: usage.reserved, lines });
  }
  return pools;
}
