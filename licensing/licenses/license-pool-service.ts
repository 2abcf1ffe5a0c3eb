import { poolTarget } from '../alerts/license-alert-rules.js';
import type { Clock } from '../shared/clock.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { evaluateVirtualAccount } from './pool-evaluator.js';
import { aggregateAccount, summarizePools, type AccountLicenseSummary, type PoolView } from './pool-summary.js';

export interface LicensePoolServiceDeps { uow: UnitOfWork; clock: Clock }

/** Read models of the license pools: per VA with the lines behind each tag, and per account. */
export class LicensePoolService {
  readonly #deps: LicensePoolServiceDeps;

  constructor(deps: LicensePoolServiceDeps) {
    this.#deps = deps;
  }

  virtualAccountPools(virtualAccountId: string): PoolView[] {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => poolsOf(repos, virtualAccountId, now));
  }

  /** One consistent read across the account's VAs, so a transfer never shows up half-applied. */
  accountLicenses(accountId: string): AccountLicenseSummary[] {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => aggregateAccount(
      repos.accounts.listVirtualAccounts(accountId).flatMap((va) => poolsOf(repos, va.id, now)),
    ));
  }

  /** Pools (VA, tag) short of licenses across the satellite, for the metrics: per VA lines and usage, no instance scan. */
  countShortPools(): number {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => repos.accounts.listAccounts()
      .flatMap((account) => repos.accounts.listVirtualAccounts(account.id))
      .reduce((short, va) => short + poolsOf(repos, va.id, now).filter((pool) => pool.status === 'INSUFFICIENT').length, 0));
  }
}

export function poolsOf(repos: Repositories, virtualAccountId: string, now: number): PoolView[] {
  const { pools, ladders } = evaluateVirtualAccount(repos, virtualAccountId, now);
  return summarizePools(virtualAccountId, pools, ladders, now, (tag) => repos.alertCauses.activeAlertsForTarget(poolTarget(virtualAccountId, tag)));
}
