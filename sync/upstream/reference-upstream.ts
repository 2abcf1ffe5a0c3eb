import { join } from 'node:path';
import type { Clock } from '../../licensing/shared/clock.js';
import type { IdGenerator } from '../../licensing/shared/id-generator.js';
import { OrderBookService } from '../../licensing/upstream/order-book-service.js';
import type { RegisteredSatellite } from '../../licensing/upstream/registered-satellite.js';
import { SatelliteRegistryService, type RegisterSatelliteInput } from '../../licensing/upstream/satellite-registry-service.js';
import { SatelliteSyncService } from '../../licensing/upstream/satellite-sync-service.js';
import type { OpenUpstreamStore } from '../../licensing/upstream/upstream-unit-of-work.js';
import { issueRegistrationFile } from './registration-issuer.js';
import { loadOrCreateUpstreamIdentity, UPSTREAM_FILES, type UpstreamIdentity } from './upstream-identity-store.js';

export interface ReferenceUpstreamDeps {
  dataDir: string;
  clock: Clock;
  newId: IdGenerator;
  /** Opens the upstream's SQLite file; db/upstream/ supplies it, so sync/ never imports the database layer. */
  openStore: OpenUpstreamStore;
  retirementMs?: number;
}

export interface UpstreamInfo {
  upstream_id: string;
  public_key_fingerprint: string;
  public_key: string;
}

/** The reference upstream of DESIGN §5.4, wired: identity, database and services; the CLI and the server share it. */
export interface ReferenceUpstream {
  dataDir: string;
  identity: UpstreamIdentity;
  /** True when this open created the id and key (first start). */
  identityCreated: boolean;
  clock: Clock;
  newId: IdGenerator;
  orders: OrderBookService;
  registry: SatelliteRegistryService;
  /** Bundle exchanges with registered satellites (sync/upstream/request-processor.ts). */
  sync: SatelliteSyncService;
  /** Records the satellite (new, or re-issued for a known id) and returns its signed registration file. */
  issueRegistration(input: RegisterSatelliteInput, upstreamUrl?: string | null): { satellite: RegisteredSatellite; file: string };
  info(): UpstreamInfo;
  close(): void;
}

export function openReferenceUpstream(deps: ReferenceUpstreamDeps): ReferenceUpstream {
  const { identity, created } = loadOrCreateUpstreamIdentity(deps.dataDir, { now: deps.clock.now(), newId: deps.newId });
  const store = deps.openStore(join(deps.dataDir, UPSTREAM_FILES.database));
  const services = { uow: store.uow, clock: deps.clock, newId: deps.newId };
  const registry = new SatelliteRegistryService({ ...services, ...(deps.retirementMs === undefined ? {} : { retirementMs: deps.retirementMs }) });
  return {
    dataDir: deps.dataDir,
    identity,
    identityCreated: created,
    clock: deps.clock,
    newId: deps.newId,
    orders: new OrderBookService(services),
    registry,
    sync: new SatelliteSyncService({ uow: store.uow, clock: deps.clock }),
    issueRegistration: (input, upstreamUrl = null) => {
      const satellite = registry.register(input);
      return { satellite, file: issueRegistrationFile(identity, satellite, upstreamUrl) };
    },
    info: () => ({ upstream_id: identity.upstreamId, public_key_fingerprint: identity.fingerprint, public_key: identity.publicKeyPem }),
    close: () => store.close(),
  };
}
