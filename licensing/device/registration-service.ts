import type { Account, VirtualAccount } from '../accounts/account.js';
import { noAlertTriggers, type AlertTriggers } from '../alerts/alert-triggers.js';
import type { IdCertificate, ProductInstance, Udi } from '../instances/product-instance.js';
import type { DeviceCertificateIssuer } from '../pki/device-certificate-issuer.js';
import type { ParsedCsr } from '../pki/device-csr.js';
import type { Clock } from '../shared/clock.js';
import { DeviceRequestError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { LicensingTimers } from '../shared/licensing-timers.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { digestTokenSecret, tokenState, type RegistrationToken } from '../tokens/registration-token.js';
import type { IdentityOutcome } from './identity-outcome.js';
import { adoptableReservedInstance } from '../reservations/reserved-authorization.js';
import { changedPoolTags, releaseInstanceUsage } from './usage-ledger.js';

export interface RegisterCommand {
  tokenSecret: string;
  udi: Udi;
  productTag: string;
  hostname: string | null;
  ipAddress: string | null;
  force: boolean;
  csr: ParsedCsr;
}

/** Work done before the transaction: the certificate is signed outside the write lock. */
export interface PreparedRegistration {
  command: RegisterCommand;
  instanceId: string;
  replacesInstanceId: string | null;
  certificate: IdCertificate;
}

export interface RegistrationServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdGenerator;
  timers: LicensingTimers;
  issuer: DeviceCertificateIssuer;
  /** Re-evaluates alerts in the same transaction; none by default. */
  alerts?: AlertTriggers;
}

export class RegistrationService {
  readonly #deps: RegistrationServiceDeps;
  readonly #alerts: AlertTriggers;

  constructor(deps: RegistrationServiceDeps) {
    this.#deps = deps;
    this.#alerts = deps.alerts ?? noAlertTriggers;
  }

  /** Cheap checks first so a bad token costs no signature; commitRegistration repeats them under the lock. */
  async prepareRegistration(command: RegisterCommand, now: number): Promise<PreparedRegistration> {
    const { existing, reservedId } = this.#deps.uow.read((repos) => {
      const token = usableToken(repos, command.tokenSecret, now);
      const found = repos.instances.findRegisteredByUdi(command.udi.pid, command.udi.serialNumber);
      // A lapsed registration (REGISTRATION_EXPIRED) is what Cisco tells the admin to re-register: no force needed.
      if (found && !command.force && found.authorizationState !== 'REGISTRATION_EXPIRED') throw alreadyRegistered(found);
      return { existing: found, reservedId: found ? null : adoptableReservedInstance(repos, command.udi, token.virtualAccountId) };
    });
    const instanceId = existing?.id ?? reservedId ?? this.#deps.newId();
    const certificate = await this.#deps.issuer.issueDeviceCertificate({
      csr: command.csr, productInstanceId: instanceId, udi: command.udi, now,
    });
    return { command, instanceId, replacesInstanceId: existing?.id ?? null, certificate };
  }

  commitRegistration(repos: Repositories, prepared: PreparedRegistration, now: number): IdentityOutcome {
    const { command, certificate } = prepared;
    const token = usableToken(repos, command.tokenSecret, now);
    const existing = repos.instances.findRegisteredByUdi(command.udi.pid, command.udi.serialNumber);
    if ((existing?.id ?? null) !== prepared.replacesInstanceId) {
      // Another REGISTER for this UDI won the race between prepare and commit.
      if (existing && !command.force && existing.authorizationState !== 'REGISTRATION_EXPIRED') throw alreadyRegistered(existing);
      throw new DeviceRequestError('ALREADY_REGISTERED', 'a concurrent registration of this UDI is in progress', { retry: true });
    }
    if (!repos.tokens.consumeUse(token.id)) {
      throw new DeviceRequestError('TOKEN_EXHAUSTED', 'the registration token has reached its maximum number of uses');
    }
    const va = requireVa(repos, token.virtualAccountId);
    const account = requireAccount(repos, va.accountId);
    // Using a token up is the only way a registration changes the token's alert (it clears TOKEN_EXPIRING).
    if (token.maxUses !== null && token.uses + 1 >= token.maxUses) this.#alerts.tokenChanged(repos, token.id, now);
    if (existing) {
      const released = releaseInstanceUsage(repos, existing);
      if (existing.currentCertificateSerial) repos.certificates.revoke(existing.currentCertificateSerial, now);
      this.#alerts.poolsChanged(repos, existing.virtualAccountId, changedPoolTags(released, []), now);
      this.#alerts.authorizationCleared(repos, existing.id, now);
    }
    const instance: ProductInstance = {
      id: prepared.instanceId,
      virtualAccountId: va.id,
      udi: command.udi,
      productTag: command.productTag,
      hostname: command.hostname,
      ipAddress: command.ipAddress,
      tokenId: token.id,
      exportControlAllowed: token.exportControlledAllowed,
      registrationState: 'REGISTERED',
      authorizationState: 'NOT_AUTHORIZED',
      registeredAt: now,
      lastContactAt: now,
      authorizedAt: null,
      authorizationExpiresAt: null,
      shortReportStreak: 0,
      currentCertificateSerial: certificate.serial,
    };
    // A reserved UDI that registers becomes its RESERVED instance, now a device, keeping the reservation (DESIGN §9.2).
    const adopting = !existing && adoptableReservedInstance(repos, command.udi, va.id) === instance.id;
    if (existing || adopting) repos.instances.update(instance);
    else repos.instances.insert(instance);
    if (adopting) repos.reservations.markDevice(instance.id);
    repos.certificates.insert(certificate);
    repos.events.append({
      occurredAt: now, accountId: account.id, virtualAccountId: va.id, actorType: 'device', actorId: instance.id,
      type: existing ? 'PRODUCT_INSTANCE_REREGISTERED' : 'PRODUCT_INSTANCE_REGISTERED',
      message: `${command.udi.pid} ${command.udi.serialNumber} ${existing ? 're-registered' : 'registered'} in ${va.name}`,
      details: { productInstanceId: instance.id, tokenId: token.id, certificateSerial: certificate.serial, force: command.force },
    });
    return this.#outcome(instance, certificate, account, va, now);
  }

  async prepareRenewal(instance: ProductInstance, csr: ParsedCsr, now: number): Promise<IdCertificate> {
    return this.#deps.issuer.issueDeviceCertificate({ csr, productInstanceId: instance.id, udi: instance.udi, now });
  }

  commitRenewal(repos: Repositories, instanceId: string, certificate: IdCertificate, now: number): IdentityOutcome {
    const instance = requireRegistered(repos, instanceId);
    if (instance.currentCertificateSerial) repos.certificates.revoke(instance.currentCertificateSerial, now);
    repos.certificates.insert(certificate);
    const renewed: ProductInstance = { ...instance, currentCertificateSerial: certificate.serial, lastContactAt: now };
    repos.instances.update(renewed);
    const va = requireVa(repos, instance.virtualAccountId);
    const account = requireAccount(repos, va.accountId);
    repos.events.append({
      occurredAt: now, accountId: account.id, virtualAccountId: va.id, actorType: 'device', actorId: instance.id,
      type: 'ID_CERTIFICATE_RENEWED', message: `ID certificate of ${instance.udi.pid} ${instance.udi.serialNumber} renewed`,
      details: { productInstanceId: instance.id, previousSerial: instance.currentCertificateSerial, serial: certificate.serial },
    });
    return this.#outcome(renewed, certificate, account, va, now);
  }

  /** Licenses go back to the pool and the certificate stops being accepted. */
  commitDeregistration(repos: Repositories, instanceId: string, now: number, actor: 'device' | 'user' = 'device'): ProductInstance {
    const instance = requireRegistered(repos, instanceId);
    const gone = this.#retire(repos, instance, now, false);
    const va = requireVa(repos, instance.virtualAccountId);
    repos.events.append({
      occurredAt: now, accountId: va.accountId, virtualAccountId: va.id, actorType: actor, actorId: instance.id,
      type: 'PRODUCT_INSTANCE_DEREGISTERED',
      message: `${instance.udi.pid} ${instance.udi.serialNumber} deregistered; its licenses returned to the pool`,
      details: { productInstanceId: instance.id, revokedSerial: instance.currentCertificateSerial },
    });
    return gone;
  }

  /**
   * An admin removes the instance from the inventory: the same effect as a deregistration (licenses back to the
   * pool, certificate revoked, so the device's next signed request gets CERT_REVOKED), but done by a user and
   * recorded as such. The row stays, UNREGISTERED, for history and so the revoked certificate keeps its owner.
   */
  commitRemoval(repos: Repositories, instanceId: string, now: number, actorId: string): ProductInstance {
    const instance = requireRegistered(repos, instanceId);
    const gone = this.#retire(repos, instance, now, true);
    const va = requireVa(repos, instance.virtualAccountId);
    repos.events.append({
      occurredAt: now, accountId: va.accountId, virtualAccountId: va.id, actorType: 'user', actorId,
      type: 'PRODUCT_INSTANCE_REMOVED',
      message: `${instance.udi.pid} ${instance.udi.serialNumber} removed by ${actorId}; its licenses returned to the pool and its certificate was revoked`,
      details: { productInstanceId: instance.id, revokedSerial: instance.currentCertificateSerial, hostname: instance.hostname },
    });
    return gone;
  }

  #retire(repos: Repositories, instance: ProductInstance, now: number, byAdmin: boolean): ProductInstance {
    const released = releaseInstanceUsage(repos, instance);
    if (instance.currentCertificateSerial) repos.certificates.revoke(instance.currentCertificateSerial, now);
    const gone: ProductInstance = {
      ...instance, registrationState: 'UNREGISTERED', authorizationState: 'NOT_AUTHORIZED', authorizedAt: null,
      authorizationExpiresAt: null, shortReportStreak: 0,
      // Last contact means the device spoke to us; an admin's removal is not that.
      lastContactAt: byAdmin ? instance.lastContactAt : now,
    };
    repos.instances.update(gone);
    this.#alerts.poolsChanged(repos, instance.virtualAccountId, changedPoolTags(released, []), now);
    this.#alerts.authorizationCleared(repos, instance.id, now);
    return gone;
  }

  #outcome(instance: ProductInstance, certificate: IdCertificate, account: Account, va: VirtualAccount, now: number): IdentityOutcome {
    return {
      instance, certificate, account, virtualAccount: va, exportControlAllowed: instance.exportControlAllowed,
      nextRenewalAt: now + this.#deps.timers.idCertificateRenewAfterMs,
    };
  }
}

function usableToken(repos: Repositories, secret: string, now: number): RegistrationToken {
  const token = repos.tokens.findByDigest(digestTokenSecret(secret));
  if (!token) throw new DeviceRequestError('TOKEN_INVALID', 'the registration token is not known to this satellite');
  switch (tokenState(token, now)) {
    case 'REVOKED': throw new DeviceRequestError('TOKEN_REVOKED', 'the registration token has been revoked');
    case 'EXPIRED': throw new DeviceRequestError('TOKEN_EXPIRED', `the registration token expired at ${new Date(token.expiresAt).toISOString()}`);
    case 'EXHAUSTED': throw new DeviceRequestError('TOKEN_EXHAUSTED', 'the registration token has reached its maximum number of uses');
    case 'ACTIVE': return token;
  }
}

function alreadyRegistered(instance: ProductInstance): DeviceRequestError {
  return new DeviceRequestError('ALREADY_REGISTERED',
    `UDI ${instance.udi.pid} ${instance.udi.serialNumber} is already registered as ${instance.id}; set force to re-register`);
}

export function requireRegistered(repos: Repositories, instanceId: string): ProductInstance {
  return registered(repos.instances.findById(instanceId), instanceId);
}

/** The instance when it is registered; the device's refusal otherwise. */
export function registered(instance: ProductInstance | undefined, instanceId = instance?.id ?? '(none)'): ProductInstance {
  if (!instance || instance.registrationState !== 'REGISTERED') {
    throw new DeviceRequestError('UNKNOWN_PRODUCT_INSTANCE', `product instance ${instanceId} is not registered`);
  }
  return instance;
}

function requireVa(repos: Repositories, id: string): VirtualAccount {
  const va = repos.accounts.findVirtualAccountById(id);
  if (!va) throw new Error(`virtual account ${id} vanished`);
  return va;
}

function requireAccount(repos: Repositories, id: string): Account {
  const account = repos.accounts.findAccountById(id);
  if (!account) throw new Error(`account ${id} vanished`);
  return account;
}
