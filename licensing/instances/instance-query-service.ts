import type { Account } from '../accounts/account.js';
import { isLineActive } from '../licenses/license-line.js';
import type { Clock } from '../shared/clock.js';
import { NotFoundError } from '../shared/domain-error.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { InstanceQuery } from './instance-inventory-repository.js';
import type { InstanceDetail, InstancePage } from './instance-views.js';
import type { ProductInstance } from './product-instance.js';
import { heldSeats } from '../reservations/reservation.js';

/** The product instance inventory as admins read it: always within one account. */
export class InstanceQueryService {
  readonly #uow: UnitOfWork;
  readonly #clock: Clock;

  constructor(deps: { uow: UnitOfWork; clock: Clock }) {
    this.#uow = deps.uow;
    this.#clock = deps.clock;
  }

  /** One consistent read, so the total matches the page. */
  list(query: InstanceQuery): InstancePage {
    return this.#uow.read((repos) => ({
      instances: repos.instanceInventory.list(query),
      total: repos.instanceInventory.count(query),
    }));
  }

  /** The account an instance belongs to, for callers that hold only its id (the CLI). */
  accountOf(instanceId: string): Account {
    return this.#uow.read((repos) => {
      const instance = repos.instances.findById(instanceId);
      const va = instance ? repos.accounts.findVirtualAccountById(instance.virtualAccountId) : undefined;
      const account = va ? repos.accounts.findAccountById(va.accountId) : undefined;
      if (!account) throw new NotFoundError('product instance', instanceId);
      return account;
    });
  }

  detail(accountId: string, instanceId: string): InstanceDetail {
    return this.#uow.read((repos) => {
      const { instance, virtualAccountName } = requireInstanceOfAccount(repos, accountId, instanceId);
      const certificate = instance.currentCertificateSerial ? repos.certificates.findBySerial(instance.currentCertificateSerial) : undefined;
      const now = this.#clock.now();
      const entitlements = repos.instances.listEntitlements(instance.id).map((e) => {
        const lines = repos.licenses.listLinesForTag(instance.virtualAccountId, e.tag);
        const describing = lines.find((line) => isLineActive(line, now)) ?? lines[0];
        return { ...e, displayName: describing?.displayName ?? null };
      });
      const reservation = repos.reservations.findById(instance.id);
      return {
        instance, virtualAccountName, certificateNotAfter: certificate?.notAfter ?? null,
        reservation: reservation ? {
          type: reservation.type, status: reservation.status,
          licenses: reservation.licenses.map((l) => ({ tag: l.tag, reserved: heldSeats(l) })),
        } : null,
        certificate: certificate
          ? { serial: certificate.serial, notBefore: certificate.notBefore, notAfter: certificate.notAfter, revokedAt: certificate.revokedAt }
          : null,
        entitlements,
        alerts: repos.alertCauses.activeAlertsForTarget(instance.id),
      };
    });
  }
}

/** An instance of another account is reported as missing, so ids do not reveal other accounts' devices. */
export function requireInstanceOfAccount(repos: Repositories, accountId: string, instanceId: string): { instance: ProductInstance; virtualAccountName: string } {
  const instance = repos.instances.findById(instanceId);
  const va = instance ? repos.accounts.findVirtualAccountById(instance.virtualAccountId) : undefined;
  if (!instance || !va || va.accountId !== accountId) throw new NotFoundError('product instance', instanceId);
  return { instance, virtualAccountName: va.name };
}
