import type { VirtualAccount } from '../accounts/account.js';
import type { EventType } from '../events/satellite-event.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { availableBalance } from './reservation-balance.js';
import type { ReservationCodec, RequestCodeInfo } from './reservation-codec.js';
import type { Reservation, ReservationType, ReservedLicense } from './reservation.js';
import { checkAsks, checkBalance, drawnLine, heldDeltas, pendingLicenses, type LicenseAsk } from './reservation-rules.js';

/** The alert machinery as reservations use it (AlertService implements it). */
export interface ReservationAlerts {
  poolsChanged(repos: Repositories, virtualAccountId: string, tags: readonly string[], now: number): void;
  reservationChanged(repos: Repositories, instanceId: string, now: number): void;
}

export interface ReservationServiceDeps { uow: UnitOfWork; clock: Clock; newId: IdGenerator; codec: ReservationCodec; alerts: ReservationAlerts }

export interface ReservationRequest { reservationCode: string; reservationType: ReservationType; licenses: LicenseAsk[] }

export interface IssuedCode { reservationCode: string; productInstanceId: string; status: Reservation['status']; authorizationCode: string }

/** The seeds' default product tag is the device's; a RESERVED instance has only its UDI to go by. */
const RESERVED_PRODUCT_TAG = 'reserved';

/** License reservation on the satellite (DESIGN §9.2): every step is one transaction with its event. */
export class ReservationService {
  readonly #deps: ReservationServiceDeps;

  constructor(deps: ReservationServiceDeps) {
    this.#deps = deps;
  }

  /** All requests or none: a batch with one bad code reserves nothing. */
  create(va: VirtualAccount, requests: readonly ReservationRequest[], actor: string): IssuedCode[] {
    if (requests.length === 0) throw new ValidationError('reservationRequests: give at least one request', { field: 'reservationRequests' });
    const parsed = requests.map((r) => ({ ...r, code: this.#deps.codec.parseRequestCode(r.reservationCode) }));
    for (const r of parsed) checkAsks(r.reservationType, r.licenses);
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      this.#requireEnabled(repos, va.accountId);
      return parsed.map((r) => this.#createOne(repos, va, r.code, r.reservationType, r.licenses, actor, now));
    });
  }

  update(va: VirtualAccount, instanceId: string, asks: LicenseAsk[], actor: string): IssuedCode {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      this.#requireEnabled(repos, va.accountId);
      const reservation = requireReservation(repos, va, instanceId);
      if (reservation.type === 'UNIVERSAL') {
        throw new ValidationError('a UNIVERSAL (PLR) reservation cannot be updated: return it and reserve again', { field: 'licenses' });
      }
      checkAsks('SPECIFIC', asks);
      // A second update in transit replaces the first: the base is always the confirmed counts.
      const base = reservation.licenses.filter((l) => l.quantity > 0).map((l) => ({ ...l, pendingQuantity: null }));
      const licenses = pendingLicenses(base, asks);
      const lines = this.#checkPools(repos, va, reservation.licenses, licenses, now);
      const code = this.#issueSpecific(reservation.instanceId, reservation.udi, asks, lines, now);
      const updated: Reservation = {
        ...reservation, status: 'IN_TRANSIT', pendingAuthorizationCode: code, licenses, updatedAt: now, inTransitSince: now,
      };
      this.#applyHolds(repos, va.id, reservation.licenses, licenses, now);
      repos.reservations.update(updated);
      this.#deps.alerts.reservationChanged(repos, updated.instanceId, now);
      this.#event(repos, va, 'RESERVATION_UPDATED', `Reservation of ${udiLabel(updated)} updated; awaiting its confirmation code`, updated, actor, now, { licenses: asks });
      return issued(updated, code);
    });
  }

  /** Confirms the code in transit (applying its counts) or, when none is, the issued code. */
  confirm(va: VirtualAccount, instanceId: string, confirmationCode: string, actor: string): Reservation {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const reservation = requireReservation(repos, va, instanceId);
      const { codec } = this.#deps;
      const typed = confirmationCode.trim().toLowerCase();
      const expectedCode = reservation.pendingAuthorizationCode ?? reservation.authorizationCode;
      if (typed !== codec.confirmationCode(expectedCode)) {
        const stale = reservation.pendingAuthorizationCode !== null && typed === codec.confirmationCode(reservation.authorizationCode);
        throw new ValidationError(stale
          ? `confirmation code ${typed} is for the earlier authorization code of ${instanceId}; an update awaits the confirmation code of its new code`
          : `confirmation code ${typed} does not match the authorization code of reservation ${instanceId}`, { field: 'confirmationCode' });
      }
      const licenses = reservation.licenses
        .map((l) => ({ tag: l.tag, quantity: l.pendingQuantity ?? l.quantity, pendingQuantity: null }))
        .filter((l) => l.quantity > 0);
      const confirmed: Reservation = {
        ...reservation, status: 'RESERVED', authorizationCode: expectedCode, pendingAuthorizationCode: null, licenses,
        updatedAt: now, confirmedAt: now, inTransitSince: null,
      };
      this.#applyHolds(repos, va.id, reservation.licenses, licenses, now);
      repos.reservations.update(confirmed);
      this.#deps.alerts.reservationChanged(repos, instanceId, now);
      this.#event(repos, va, 'RESERVATION_CONFIRMED', `Reservation of ${udiLabel(confirmed)} confirmed`, confirmed, actor, now, {});
      return confirmed;
    });
  }

  /** A valid return code (of the confirmed code, or of the one in transit) releases every seat. */
  returnReservation(va: VirtualAccount, instanceId: string, returnCode: string, actor: string): Reservation {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const reservation = requireReservation(repos, va, instanceId);
      const { codec } = this.#deps;
      const codes = [reservation.authorizationCode, reservation.pendingAuthorizationCode].filter((c): c is string => c !== null);
      if (!codes.some((c) => codec.sameCode(returnCode, codec.returnCode(c)))) {
        throw new ValidationError(`the return code does not match the authorization code of reservation ${instanceId}`, { field: 'returnCode' });
      }
      this.#release(repos, va, reservation, now);
      this.#event(repos, va, 'RESERVATION_RETURNED', `Reservation of ${udiLabel(reservation)} returned; its seats are free`, reservation, actor, now, {});
      return reservation;
    });
  }

  /** An admin's forced removal, for a device that is lost or cannot make a return code. */
  remove(va: VirtualAccount, instanceId: string, actor: string): Reservation {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const reservation = requireReservation(repos, va, instanceId);
      this.#release(repos, va, reservation, now);
      this.#event(repos, va, 'RESERVATION_REMOVED', `Reservation of ${udiLabel(reservation)} removed by force; its seats are free`, reservation, actor, now, {});
      return reservation;
    });
  }

  list(va: VirtualAccount): Reservation[] {
    return this.#deps.uow.read((repos) => repos.reservations.listByVirtualAccount(va.id));
  }

  get(va: VirtualAccount, instanceId: string): Reservation {
    return this.#deps.uow.read((repos) => requireReservation(repos, va, instanceId));
  }

  isEnabled(accountId: string): boolean {
    return this.#deps.uow.read((repos) => repos.reservations.reservationEnabled(accountId));
  }

  setEnabled(accountId: string, enabled: boolean, actor: string): void {
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      if (repos.reservations.reservationEnabled(accountId) === enabled) return;
      repos.reservations.setReservationEnabled(accountId, enabled);
      repos.events.append({
        occurredAt: now, accountId, virtualAccountId: null, actorType: 'user', actorId: actor, type: 'ACCOUNT_RESERVATION_CHANGED',
        message: `License reservation ${enabled ? 'enabled' : 'disabled'} for the account`, details: { reservationEnabled: enabled },
      });
    });
  }

  #createOne(repos: Repositories, va: VirtualAccount, code: RequestCodeInfo, type: ReservationType, asks: LicenseAsk[], actor: string, now: number): IssuedCode {
    const existing = repos.reservations.findByUdi(code.pid, code.serialNumber);
    if (existing) {
      throw new ConflictError(
        `${code.pid}:${code.serialNumber} already holds reservation ${existing.instanceId}; update it (PUT .../reservations/${existing.instanceId}) instead`,
        { productInstanceId: existing.instanceId },
      );
    }
    const device = repos.instances.findRegisteredByUdi(code.pid, code.serialNumber);
    if (device && device.virtualAccountId !== va.id) {
      throw new ConflictError(`${code.pid}:${code.serialNumber} is registered in another virtual account; reserve there or transfer it first`);
    }
    const licenses = asks.map((a) => ({ tag: a.tag, quantity: a.quantity, pendingQuantity: null }));
    const lines = this.#checkPools(repos, va, [], licenses, now);
    const instanceId = device?.id ?? this.#deps.newId();
    const udi = { pid: code.pid, serialNumber: code.serialNumber, vid: code.vid, hostIdentifier: code.hostIdentifier };
    const authorizationCode = type === 'SPECIFIC'
      ? this.#issueSpecific(instanceId, udi, asks, lines, now)
      : this.#deps.codec.issueUniversal(code.code);
    const reservation: Reservation = {
      instanceId, virtualAccountId: va.id, udi, requestCode: code.code, type, status: 'RESERVED', authorizationCode,
      pendingAuthorizationCode: null, licenses, createdAt: now, updatedAt: now, confirmedAt: null, inTransitSince: null, createdBy: actor,
    };
    repos.reservations.insert(reservation, { withInstance: device === undefined, productTag: RESERVED_PRODUCT_TAG });
    this.#applyHolds(repos, va.id, [], licenses, now);
    this.#event(repos, va, 'RESERVATION_CREATED', `${type === 'SPECIFIC' ? 'Specific' : 'Permanent'} license reservation for ${udiLabel(reservation)}`,
      reservation, actor, now, { licenses: asks });
    return issued(reservation, authorizationCode);
  }

  /** Checks every tag's balance for the change before anything is written; returns the line each draws on. */
  #checkPools(repos: Repositories, va: VirtualAccount, before: readonly ReservedLicense[], after: readonly ReservedLicense[], now: number) {
    const deltas = heldDeltas(before, after);
    const lines = new Map<string, ReturnType<typeof drawnLine>>();
    for (const license of after) {
      const wanted = license.pendingQuantity ?? license.quantity;
      if (wanted === 0) continue;
      const line = drawnLine(repos.licenses.listLinesForTag(va.id, license.tag), license.tag, va.name, now);
      lines.set(license.tag, line);
      checkBalance(line, wanted, deltas.get(license.tag) ?? 0, availableBalance(repos, va.id, license.tag, now));
    }
    return lines;
  }

  #issueSpecific(instanceId: string, udi: Reservation['udi'], asks: readonly LicenseAsk[], lines: Map<string, ReturnType<typeof drawnLine>>, now: number): string {
    return this.#deps.codec.issueSpecific({
      productInstanceId: instanceId, issuedAt: now, udi: { pid: udi.pid, serialNumber: udi.serialNumber },
      entitlements: asks.map((ask) => {
        const line = lines.get(ask.tag);
        if (!line) throw new DomainError('INTERNAL', `no line was drawn for ${ask.tag}`);
        return {
          tag: ask.tag, count: ask.quantity, startsAt: line.startsAt, endsAt: line.endsAt, licenseType: line.licenseType,
          displayName: line.displayName, description: line.description,
        };
      }),
    });
  }

  /** pool_usage.reserved follows the held seats in the same transaction (DESIGN §9.2: counted in use at once). */
  #applyHolds(repos: Repositories, virtualAccountId: string, before: readonly ReservedLicense[], after: readonly ReservedLicense[], now: number): void {
    const changed: string[] = [];
    for (const [tag, delta] of heldDeltas(before, after)) {
      if (delta === 0) continue;
      repos.licenses.addUsage(virtualAccountId, tag, { authorized: 0, requested: 0, reserved: delta });
      changed.push(tag);
    }
    if (changed.length > 0) this.#deps.alerts.poolsChanged(repos, virtualAccountId, changed, now);
  }

  #release(repos: Repositories, va: VirtualAccount, reservation: Reservation, now: number): void {
    this.#applyHolds(repos, va.id, reservation.licenses, [], now);
    repos.reservations.delete(reservation.instanceId);
    this.#deps.alerts.reservationChanged(repos, reservation.instanceId, now);
  }

  #requireEnabled(repos: Repositories, accountId: string): void {
    if (!repos.reservations.reservationEnabled(accountId)) {
      const account = repos.accounts.findAccountById(accountId);
      throw new DomainError('FORBIDDEN', `license reservation is not enabled for account ${account?.name ?? accountId} (reservationEnabled is false; an admin sets it with PATCH .../accounts/{account})`, { field: 'reservationEnabled' });
    }
  }

  #event(repos: Repositories, va: VirtualAccount, type: EventType, message: string, r: Reservation, actor: string, now: number, extra: Record<string, unknown>): void {
    repos.events.append({
      occurredAt: now, accountId: va.accountId, virtualAccountId: va.id, actorType: 'user', actorId: actor, type, message,
      details: { productInstanceId: r.instanceId, reservationType: r.type, udi: `${r.udi.pid}:${r.udi.serialNumber}`, ...extra },
    });
  }
}

function requireReservation(repos: Repositories, va: VirtualAccount, instanceId: string): Reservation {
  const reservation = repos.reservations.findById(instanceId);
  if (!reservation || reservation.virtualAccountId !== va.id) throw new NotFoundError('reservation', instanceId);
  return reservation;
}

function issued(r: Reservation, authorizationCode: string): IssuedCode {
  return { reservationCode: r.requestCode, productInstanceId: r.instanceId, status: r.status, authorizationCode };
}

function udiLabel(r: Reservation): string {
  return `${r.udi.pid} ${r.udi.serialNumber}`;
}
