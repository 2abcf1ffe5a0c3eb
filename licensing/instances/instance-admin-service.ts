import type { VirtualAccount } from '../accounts/account.js';
import { noAlertTriggers, type AlertTriggers } from '../alerts/alert-triggers.js';
import type { RegistrationService } from '../device/registration-service.js';
import { changedPoolTags, recordReport, releaseInstanceUsage } from '../device/usage-ledger.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { requireInstanceOfAccount } from './instance-query-service.js';
import { recordStateChange } from './instance-state-change.js';
import type { InstanceEntitlement, ProductInstance } from './product-instance.js';

export interface TransferCommand {
  accountId: string;
  instanceId: string;
  targetVirtualAccountId: string;
  /** Transfer even when the target pools cannot cover every tag; those tags become OUT_OF_COMPLIANCE. */
  force: boolean;
  actorId: string;
}

/** A tag the target virtual account cannot cover for the instance. */
export interface Shortfall {
  tag: string;
  displayName: string | null;
  needed: number;
  available: number;
  purchased: number;
  reason: 'INSUFFICIENT' | 'NOT_IN_VIRTUAL_ACCOUNT';
}

export interface TransferOutcome {
  instance: ProductInstance;
  from: VirtualAccount;
  to: VirtualAccount;
  entitlements: InstanceEntitlement[];
  /** Empty unless the transfer was forced. */
  shortfalls: Shortfall[];
}

export interface InstanceAdminServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  timers: LicensingTimers;
  registration: RegistrationService;
  alerts?: AlertTriggers;
}

/** What admins do to product instances: move them between virtual accounts and remove them. */
export class InstanceAdminService {
  readonly #deps: InstanceAdminServiceDeps;
  readonly #alerts: AlertTriggers;

  constructor(deps: InstanceAdminServiceDeps) {
    this.#deps = deps;
    this.#alerts = deps.alerts ?? noAlertTriggers;
  }

  /**
   * Moves an instance and its usage: its last report leaves the source pools and is recorded in the target
   * pools with the AUTHORIZE rules, in one transaction. Refused (409, naming every tag the target cannot
   * cover) unless forced; forced, the shortfall stays visible in the target's pools and alerts.
   */
  transfer(command: TransferCommand): TransferOutcome {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const instance = requireRegisteredOfAccount(repos, command.accountId, command.instanceId, 'transferred');
      const from = requireVa(repos, instance.virtualAccountId);
      const to = repos.accounts.findVirtualAccountById(command.targetVirtualAccountId);
      if (!to || to.accountId !== command.accountId) throw new NotFoundError('virtual account', command.targetVirtualAccountId);
      if (to.id === from.id) {
        throw new ValidationError(`product instance ${instance.id} is already in virtual account '${to.name}'`, { field: 'targetVirtualAccount' });
      }
      const released = releaseInstanceUsage(repos, instance);
      const recorded = recordReport(repos, to.id, instance.id, released.map((e) => ({ tag: e.tag, count: e.requested })), now);
      const entitlements: InstanceEntitlement[] = recorded.map((r) => r.entitlement);
      const shortfalls: Shortfall[] = [];
      for (const { entitlement, displayName, pool } of recorded) {
        if (entitlement.status === 'AUTHORIZED' || entitlement.requested === 0) continue;
        // available: what the target pool had for this instance before it arrived (balance after substitution).
        shortfalls.push({
          tag: entitlement.tag, displayName, needed: entitlement.requested,
          available: Math.max(0, (pool?.balance ?? 0) + entitlement.requested), purchased: pool?.purchased ?? 0,
          reason: entitlement.status === 'INVALID_TAG' ? 'NOT_IN_VIRTUAL_ACCOUNT' : 'INSUFFICIENT',
        });
      }
      // Throwing rolls back the release and the grants above.
      if (shortfalls.length > 0 && !command.force) throw refusal(instance, to, shortfalls);
      const moved = this.#movedInstance(instance, to, entitlements, shortfalls.length > 0);
      repos.instances.update(moved);
      recordStateChange(repos, this.#alerts, instance, moved, now, {
        message: moved.authorizationState === 'OUT_OF_COMPLIANCE' ? `is out of compliance after a forced transfer to ${to.name}` : `transferred to ${to.name}: its usage is covered`,
      });
      repos.events.append({
        occurredAt: now, accountId: command.accountId, virtualAccountId: to.id, actorType: 'user', actorId: command.actorId,
        type: 'PRODUCT_INSTANCE_TRANSFERRED',
        message: `${instance.udi.pid} ${instance.udi.serialNumber} transferred from ${from.name} to ${to.name}`
          + (shortfalls.length > 0 ? ` (forced; out of compliance for ${shortfalls.map((s) => s.displayName ?? s.tag).join(', ')})` : ''),
        details: {
          productInstanceId: instance.id, fromVirtualAccountId: from.id, toVirtualAccountId: to.id,
          forced: shortfalls.length > 0, shortfalls,
        },
      });
      this.#alerts.poolsChanged(repos, from.id, changedPoolTags(released, []), now);
      this.#alerts.poolsChanged(repos, to.id, changedPoolTags([], entitlements), now);
      return { instance: moved, from, to, entitlements, shortfalls };
    });
  }

  /** Releases the instance's licenses, revokes its certificate and records who removed it. */
  remove(command: { accountId: string; instanceId: string; actorId: string }): ProductInstance {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      requireRegisteredOfAccount(repos, command.accountId, command.instanceId, 'removed');
      return this.#deps.registration.commitRemoval(repos, command.instanceId, now, command.actorId);
    });
  }

  /**
   * The inventory state follows the pools at once here, unlike the 5-report rule for device reports: a forced
   * transfer is the admin accepting the shortfall, and the streak is set so the next short report keeps the state.
   */
  #movedInstance(instance: ProductInstance, to: VirtualAccount, entitlements: InstanceEntitlement[], short: boolean): ProductInstance {
    const inUse = entitlements.some((e) => e.requested > 0);
    if (!inUse) return { ...instance, virtualAccountId: to.id };
    return {
      ...instance, virtualAccountId: to.id,
      authorizationState: short ? 'OUT_OF_COMPLIANCE' : 'AUTHORIZED',
      shortReportStreak: short ? Math.max(instance.shortReportStreak, this.#deps.timers.outOfComplianceReports) : 0,
    };
  }
}

function requireRegisteredOfAccount(repos: Repositories, accountId: string, instanceId: string, verb: string): ProductInstance {
  const { instance } = requireInstanceOfAccount(repos, accountId, instanceId);
  if (instance.registrationState !== 'REGISTERED') {
    throw new ConflictError(`product instance ${instanceId} is not registered (deregistered or removed) and cannot be ${verb}`);
  }
  return instance;
}

function requireVa(repos: Repositories, id: string): VirtualAccount {
  const va = repos.accounts.findVirtualAccountById(id);
  if (!va) throw new Error(`virtual account ${id} vanished`);
  return va;
}

function refusal(instance: ProductInstance, to: VirtualAccount, shortfalls: Shortfall[]): ConflictError {
  const parts = shortfalls.map((s) => (s.reason === 'NOT_IN_VIRTUAL_ACCOUNT'
    ? `${s.tag} (needs ${s.needed}; '${to.name}' holds no license for it)`
    : `${s.displayName ?? s.tag} [${s.tag}] (needs ${s.needed}, ${s.available} available of ${s.purchased} purchased)`));
  return new ConflictError(
    `cannot transfer product instance ${instance.id} to virtual account '${to.name}': its pools lack licenses for `
      + `${parts.join('; ')}. Send force: true to transfer anyway; those tags become OUT_OF_COMPLIANCE.`,
    { targetVirtualAccount: to.name, shortfalls },
  );
}
