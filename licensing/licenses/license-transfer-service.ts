import type { VirtualAccount } from '../accounts/account.js';
import { noAlertTriggers, type AlertTriggers } from '../alerts/alert-triggers.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { LicenseLine } from './license-line.js';
import { evaluateTags } from './pool-evaluator.js';
import { planTransfer, transferLines, type LicenseTransfer } from './license-transfer.js';

export interface TransferRequest {
  accountId: string;
  /** Virtual account names inside the account. */
  from: string;
  to: string;
  tag: string;
  quantity: number;
  actorId?: string;
}

export interface TransferResult {
  transfer: LicenseTransfer;
  /** The pairs of transfer lines written: negative in the source VA, positive in the destination. */
  lines: LicenseLine[];
  from: VirtualAccount;
  to: VirtualAccount;
}

export interface LicenseTransferServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdGenerator;
  /** Pool alerts of both VAs are re-evaluated inside the transfer's transaction. */
  alerts?: AlertTriggers;
}

/**
 * Moves licenses between VAs of one account, in one transaction. Nothing is edited in place: each move is
 * a pair of 'transfer' lines carrying the terms of the line it was drawn from (docs/decisions.md).
 */
export class LicenseTransferService {
  readonly #deps: LicenseTransferServiceDeps;

  constructor(deps: LicenseTransferServiceDeps) {
    this.#deps = deps;
  }

  transfer(request: TransferRequest): TransferResult {
    if (!Number.isInteger(request.quantity) || request.quantity < 1) {
      throw new ValidationError('quantity must be a positive integer', { field: 'quantity' });
    }
    const tag = request.tag.trim();
    if (tag.length === 0) throw new ValidationError('tag must not be empty', { field: 'tag' });
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const from = findVa(repos, request.accountId, request.from, 'from');
      const to = findVa(repos, request.accountId, request.to, 'to');
      if (from.id === to.id) throw new ValidationError('from and to must be different virtual accounts', { field: 'to' });
      const sourceLines = repos.licenses.listLinesForTag(from.id, tag);
      // What the source may give is its balance after substitution: seats it lends to lower tiers are in use too.
      const pool = evaluateTags(repos, from.id, [tag], now).pools.get(tag);
      const purchased = pool?.purchased ?? 0;
      const inUse = pool?.inUse ?? 0;
      const available = Math.max(0, pool?.balance ?? 0);
      const draws = planTransfer(sourceLines, request.quantity, now);
      const drawable = draws.reduce((sum, d) => sum + d.quantity, 0);
      if (request.quantity > available || drawable < request.quantity) {
        const name = sourceLines[0]?.displayName ?? tag;
        throw new ConflictError(
          `cannot transfer ${request.quantity} x ${name} from '${from.name}': it holds ${purchased}, ${inUse} in use, `
          + `${Math.min(available, drawable)} available`,
          { tag, from: from.name, requested: request.quantity, purchased, inUse, available: Math.min(available, drawable) },
        );
      }
      const transfer: LicenseTransfer = {
        id: this.#deps.newId(), accountId: request.accountId, tag, fromVirtualAccountId: from.id, toVirtualAccountId: to.id,
        quantity: request.quantity, createdAt: now, createdBy: request.actorId ?? 'system',
      };
      repos.licenses.insertTransfer(transfer);
      const lines: LicenseLine[] = [];
      for (const draw of draws) {
        const pair = transferLines(transfer, draw, { out: this.#deps.newId(), in: this.#deps.newId() });
        repos.licenses.insertLine(pair.out);
        repos.licenses.insertLine(pair.in);
        lines.push(pair.out, pair.in);
      }
      const name = draws[0]?.lot.terms.displayName ?? tag;
      const details = { transferId: transfer.id, tag, quantity: transfer.quantity, from: from.name, to: to.name };
      for (const [va, message] of [[from, `${transfer.quantity} x ${name} transferred to ${to.name}`], [to, `${transfer.quantity} x ${name} transferred from ${from.name}`]] as const) {
        repos.events.append({
          occurredAt: now, accountId: request.accountId, virtualAccountId: va.id, actorType: 'user', actorId: transfer.createdBy,
          type: 'LICENSE_TRANSFERRED', message, details,
        });
      }
      const alerts = this.#deps.alerts ?? noAlertTriggers;
      alerts.poolsChanged(repos, from.id, [tag], now);
      alerts.poolsChanged(repos, to.id, [tag], now);
      return { transfer, lines, from, to };
    });
  }

  list(accountId: string, limit: number, offset: number): LicenseTransfer[] {
    return this.#deps.uow.read((repos) => repos.licenses.listTransfers(accountId, limit, offset));
  }
}

function findVa(repos: Repositories, accountId: string, name: string, field: 'from' | 'to'): VirtualAccount {
  const va = repos.accounts.findVirtualAccountByName(accountId, name);
  if (!va) throw new ValidationError(`${field}: virtual account '${name}' does not exist in this account`, { field, virtualAccount: name });
  return va;
}
