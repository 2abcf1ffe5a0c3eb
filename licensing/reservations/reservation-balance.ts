import { summarizePools } from '../licenses/pool-summary.js';
import type { Repositories } from '../shared/unit-of-work.js';

/**
 * What a reservation may still take from a VA's pool of one tag: the pool's balance as the license views
 * show it. The ONE place reservations read the pool, so that a new licensing engine (substitution) is
 * attached by changing this function alone.
 */
export function availableBalance(repos: Repositories, virtualAccountId: string, tag: string, now: number): number {
  const usage = repos.licenses.listUsage(virtualAccountId).filter((u) => u.tag === tag);
  const [pool] = summarizePools(virtualAccountId, repos.licenses.listLinesForTag(virtualAccountId, tag), usage, now);
  return pool?.balance ?? 0;
}
