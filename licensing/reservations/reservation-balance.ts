import { evaluateTags } from '../licenses/pool-evaluator.js';
import type { Repositories } from '../shared/unit-of-work.js';

/**
 * What a reservation may still take from a VA's pool of one tag: the pool's balance after substitution, as
 * the license views show it (DESIGN §8.2). A higher tier's surplus is not reserved for a lower tag: it is
 * lent only to cover a shortfall, never held in advance. The one place reservations read the pool.
 */
export function availableBalance(repos: Repositories, virtualAccountId: string, tag: string, now: number): number {
  return evaluateTags(repos, virtualAccountId, [tag], now).pools.get(tag)?.balance ?? 0;
}
