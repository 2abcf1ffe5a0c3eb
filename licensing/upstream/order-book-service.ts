import type { Clock } from '../shared/clock.js';
import { ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { AccountMapping } from '../binding/satellite-binding.js';
import type { OrderLineTerms, UpstreamOrderLine } from './order-line.js';
import { reconcileOrderLines } from './order-reconciliation.js';
import type { UpstreamRepositories, UpstreamUnitOfWork } from './upstream-unit-of-work.js';

export interface OrderBookServiceDeps {
  uow: UpstreamUnitOfWork;
  clock: Clock;
  newId: IdGenerator;
}

export interface OrderLoadSummary {
  accountsCreated: number;
  virtualAccountsCreated: number;
  inserted: number;
  /** Changed terms, reactivated lines included. */
  updated: number;
  reactivated: number;
  ended: number;
  unchanged: number;
}

/**
 * The reference upstream's purchased licenses: smart accounts, virtual accounts and order lines, loaded
 * from an orders file (docs/upstream.md). Every load is the complete book and is reconciled in one
 * transaction: same id updates, a new id inserts, a missing id ends. Accounts and VAs are never deleted.
 */
export class OrderBookService {
  readonly #deps: OrderBookServiceDeps;

  constructor(deps: OrderBookServiceDeps) {
    this.#deps = deps;
  }

  load(lines: readonly OrderLineTerms[]): OrderLoadSummary {
    const seen = new Set<string>();
    for (const line of lines) {
      if (seen.has(line.orderLineId)) throw new ValidationError(`order line id '${line.orderLineId}' appears twice`, { field: 'order_line_id' });
      seen.add(line.orderLineId);
    }
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const summary: OrderLoadSummary = { accountsCreated: 0, virtualAccountsCreated: 0, inserted: 0, updated: 0, reactivated: 0, ended: 0, unchanged: 0 };
      const vaIdOf = this.#virtualAccountResolver(repos, now, summary);
      const plan = reconcileOrderLines(repos.orders.listLines(), lines);
      for (const terms of plan.inserted) {
        repos.orders.insertLine({ ...terms, virtualAccountId: vaIdOf(terms), loadedAt: now, updatedAt: now, revision: 1, endedAt: null });
      }
      for (const { before, after } of plan.updated) {
        if (before.endedAt !== null) summary.reactivated += 1;
        repos.orders.updateLine({ ...before, ...after, virtualAccountId: vaIdOf(after), updatedAt: now, revision: before.revision + 1, endedAt: null });
      }
      for (const line of plan.ended) repos.orders.updateLine({ ...line, endedAt: now, updatedAt: now, revision: line.revision + 1 });
      return { ...summary, inserted: plan.inserted.length, updated: plan.updated.length, ended: plan.ended.length, unchanged: plan.unchanged };
    });
  }

  /** Smart accounts with their virtual accounts, by name. */
  accounts(): AccountMapping[] {
    return this.#deps.uow.read((repos) => repos.orders.listAccounts().map((a) => ({
      account: a.name, virtualAccounts: repos.orders.listVirtualAccounts(a.id).map((va) => va.name),
    })));
  }

  lines(): UpstreamOrderLine[] {
    return this.#deps.uow.read((repos) => repos.orders.listLines());
  }

  /** Finds or creates the account and VA a line names, once per name pair per load. */
  #virtualAccountResolver(repos: UpstreamRepositories, now: number, summary: OrderLoadSummary): (terms: OrderLineTerms) => string {
    const cache = new Map<string, string>();
    return (terms) => {
      const key = JSON.stringify([terms.smartAccount, terms.virtualAccount]);
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      let account = repos.orders.findAccountByName(terms.smartAccount);
      if (!account) {
        account = { id: this.#deps.newId(), name: terms.smartAccount, createdAt: now };
        repos.orders.insertAccount(account);
        summary.accountsCreated += 1;
      }
      let va = repos.orders.findVirtualAccount(account.id, terms.virtualAccount);
      if (!va) {
        va = { id: this.#deps.newId(), accountId: account.id, name: terms.virtualAccount, createdAt: now };
        repos.orders.insertVirtualAccount(va);
        summary.virtualAccountsCreated += 1;
      }
      cache.set(key, va.id);
      return va.id;
    };
  }
}
