import { ensureUpstreamVirtualAccounts, type UpstreamVirtualAccountsOutcome } from '../accounts/upstream-virtual-accounts.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { SatelliteBinding, SatelliteRegistrationGrant, SyncMode } from './satellite-binding.js';
import { initialSyncState } from './satellite-binding.js';
import { chooseMode, classifyRegistration, requireReachable, syncStatusOf, type BindingChange, type SyncStatus } from './satellite-binding-rules.js';

export interface SatelliteBindingServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdGenerator;
}

export interface RegisterOptions {
  /** Default: kept on renewal, else connected when the file names an upstream URL. */
  mode?: SyncMode;
  /** Rebind to another satellite id, upstream or key, or import an older file. */
  force?: boolean;
  actorId?: string;
}

export interface RegistrationOutcome extends Omit<UpstreamVirtualAccountsOutcome, 'bound'> {
  binding: SatelliteBinding;
  change: BindingChange;
  /** Local virtual accounts the upstream now feeds, with the upstream's names. */
  virtualAccounts: UpstreamVirtualAccountsOutcome['bound'];
}

/**
 * The satellite's binding to its upstream (DESIGN §3, §5.4). The registration file's signature and schema
 * are checked before this service sees it (protocol/satellite-registration.ts); the rules here decide whether
 * the file may replace the binding in force, and the mapped accounts are created in the same transaction.
 */
export class SatelliteBindingService {
  readonly #deps: SatelliteBindingServiceDeps;

  constructor(deps: SatelliteBindingServiceDeps) {
    this.#deps = deps;
  }

  register(grant: SatelliteRegistrationGrant, options: RegisterOptions = {}): RegistrationOutcome {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const existing = repos.satelliteBinding.findBinding();
      const change = classifyRegistration(existing, grant, { force: options.force ?? false, now });
      const mode = chooseMode(options.mode, existing, change, grant);
      const binding: SatelliteBinding = {
        ...grant, mode, boundAt: change === 'renewal' && existing ? existing.boundAt : now, updatedAt: now,
      };
      repos.satelliteBinding.saveBinding(binding);
      const accounts = ensureUpstreamVirtualAccounts(repos, grant.accounts, { now, newId: this.#deps.newId, upstreamId: grant.upstreamId });
      repos.satelliteBinding.replaceBoundVirtualAccounts(accounts.bound);
      // Sequences and the last accepted bundle belong to one satellite/upstream pair; a new pair starts over.
      if (change !== 'renewal') repos.satelliteBinding.saveSyncState(initialSyncState);
      repos.events.append({
        occurredAt: now, accountId: null, virtualAccountId: null, actorType: 'user', actorId: options.actorId ?? 'system',
        type: 'SATELLITE_REGISTERED',
        message: `Satellite ${grant.satelliteName} ${change === 'renewal' ? 're-registered' : 'registered'} with upstream ${grant.upstreamId} (${mode})`,
        details: {
          change, satelliteId: grant.satelliteId, upstreamId: grant.upstreamId, fingerprint: grant.upstreamKeyFingerprint,
          credentialExpiresAt: grant.credentialExpiresAt, virtualAccounts: accounts.bound.map((b) => `${b.account}/${b.virtualAccount}`),
        },
      });
      const { bound, ...created } = accounts;
      return { binding, change, virtualAccounts: bound, ...created };
    });
  }

  setMode(mode: SyncMode, actorId = 'system'): SatelliteBinding {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const existing = requireBinding(repos.satelliteBinding.findBinding());
      requireReachable(mode, existing.upstreamUrl);
      if (existing.mode === mode) return existing;
      const binding: SatelliteBinding = { ...existing, mode, updatedAt: now };
      repos.satelliteBinding.saveBinding(binding);
      repos.events.append({
        occurredAt: now, accountId: null, virtualAccountId: null, actorType: 'user', actorId, type: 'SYNC_MODE_CHANGED',
        message: `Sync mode changed from ${existing.mode} to ${mode}`, details: { from: existing.mode, to: mode },
      });
      return binding;
    });
  }

  /** undefined while the satellite is not registered with an upstream. */
  binding(): SatelliteBinding | undefined {
    return this.#deps.uow.read((repos) => repos.satelliteBinding.findBinding());
  }

  /** null while the satellite is not registered with an upstream. */
  status(): (SyncStatus & { virtualAccounts: RegistrationOutcome['virtualAccounts'] }) | null {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => {
      const binding = repos.satelliteBinding.findBinding();
      if (!binding) return null;
      return { ...syncStatusOf(binding, repos.satelliteBinding.findSyncState(), now), virtualAccounts: repos.satelliteBinding.listBoundVirtualAccounts() };
    });
  }
}

function requireBinding(binding: SatelliteBinding | undefined): SatelliteBinding {
  if (!binding) throw new ConflictError('this satellite is not registered with an upstream yet; import a registration file first (satellite sync register <file>)', { reason: 'NOT_REGISTERED' });
  return binding;
}
