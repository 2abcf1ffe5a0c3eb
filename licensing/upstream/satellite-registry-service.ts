import { MS_PER_DAY, type Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { AccountMapping } from '../binding/satellite-binding.js';
import { isDueForRetirement, SATELLITE_RETIREMENT_MS, type RegisteredSatellite } from './registered-satellite.js';
import type { UpstreamRepositories, UpstreamUnitOfWork } from './upstream-unit-of-work.js';

export const DEFAULT_CREDENTIAL_VALIDITY_MS = 365 * MS_PER_DAY;

export interface SatelliteRegistryServiceDeps {
  uow: UpstreamUnitOfWork;
  clock: Clock;
  newId: IdGenerator;
  retirementMs?: number;
}

export interface RegisterSatelliteInput {
  /** Given to re-issue a registration for a known satellite (or to choose the id); generated otherwise. */
  satelliteId?: string;
  name: string;
  /** An account without virtual accounts maps every VA it has now. */
  accounts: ReadonlyArray<{ account: string; virtualAccounts?: readonly string[] }>;
  credentialValidityMs?: number;
}

/**
 * The satellites an upstream serves (DESIGN §5.4): registration, and retirement after 90 days without sync.
 * Signing the registration file is the caller's (sync/upstream/), so this stays free of file formats.
 */
export class SatelliteRegistryService {
  readonly #deps: SatelliteRegistryServiceDeps;

  constructor(deps: SatelliteRegistryServiceDeps) {
    this.#deps = deps;
  }

  register(input: RegisterSatelliteInput): RegisteredSatellite {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) throw new ValidationError('the satellite name must be 1-200 characters', { field: 'name' });
    const validity = input.credentialValidityMs ?? DEFAULT_CREDENTIAL_VALIDITY_MS;
    if (!Number.isInteger(validity) || validity < MS_PER_DAY) throw new ValidationError('the credential must be valid for at least one day', { field: 'credential' });
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const accounts = resolveMapping(repos, input.accounts);
      const existing = input.satelliteId === undefined ? undefined : repos.satellites.findById(input.satelliteId);
      if (existing) {
        if (existing.retiredAt !== null) {
          throw new ConflictError(`satellite ${existing.id} was retired on ${new Date(existing.retiredAt).toISOString()}; register it again under a new id`, { reason: 'RETIRED' });
        }
        // A new mapping may bind other accounts: the next request must be a full snapshot again (instancesSequence null).
        const reissued: RegisteredSatellite = { ...existing, name, accounts, issuedAt: now, credentialExpiresAt: now + validity, instancesSequence: null };
        repos.satellites.update(reissued);
        return reissued;
      }
      const satellite: RegisteredSatellite = {
        id: input.satelliteId ?? this.#deps.newId(), name, accounts, registeredAt: now, issuedAt: now, credentialExpiresAt: now + validity,
        lastSyncAt: null, retiredAt: null, satellitePublicKeyPem: null, requestSequence: 0, responseSequence: 0,
        instancesSequence: null,
      };
      repos.satellites.insert(satellite);
      return satellite;
    });
  }

  /** Retires every active satellite whose last sync (or registration) is 90 days old; returns them. Run by the upstream's job. */
  retireStaleSatellites(now: number): RegisteredSatellite[] {
    const retirementMs = this.#deps.retirementMs ?? SATELLITE_RETIREMENT_MS;
    return this.#deps.uow.write((repos) => repos.satellites.listActive()
      .filter((s) => isDueForRetirement(s, now, retirementMs))
      .map((s) => {
        const retired = { ...s, retiredAt: now };
        repos.satellites.update(retired);
        return retired;
      }));
  }

  list(): RegisteredSatellite[] {
    return this.#deps.uow.read((repos) => repos.satellites.list());
  }

  find(id: string): RegisteredSatellite {
    const satellite = this.#deps.uow.read((repos) => repos.satellites.findById(id));
    if (!satellite) throw new NotFoundError('satellite', id);
    return satellite;
  }
}

function resolveMapping(repos: UpstreamRepositories, requested: RegisterSatelliteInput['accounts']): AccountMapping[] {
  if (requested.length === 0) throw new ValidationError('a satellite serves at least one account', { field: 'account' });
  const seen = new Set<string>();
  return requested.map((entry) => {
    if (seen.has(entry.account)) throw new ValidationError(`account '${entry.account}' is listed twice`, { field: 'account' });
    seen.add(entry.account);
    const account = repos.orders.findAccountByName(entry.account);
    if (!account) throw new NotFoundError('smart account', entry.account);
    const known = repos.orders.listVirtualAccounts(account.id).map((va) => va.name);
    const wanted = entry.virtualAccounts === undefined || entry.virtualAccounts.length === 0 ? known : [...new Set(entry.virtualAccounts)];
    if (wanted.length === 0) throw new ValidationError(`smart account '${entry.account}' has no virtual accounts yet; load orders for it first`, { field: 'account' });
    const unknown = wanted.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new NotFoundError('virtual account', `${entry.account}/${unknown.join(', ')}`);
    }
    return { account: entry.account, virtualAccounts: wanted };
  });
}
