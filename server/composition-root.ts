import { createPrivateKey } from 'node:crypto';
import type { Logger } from 'pino';
import { openDatabase, type SqliteDatabase } from '../db/sqlite-connection.js';
import { WalCheckpointer } from '../db/sqlite-wal-checkpointer.js';
import { SqliteUnitOfWork } from '../db/sqlite-unit-of-work.js';
import { SqliteRequestSnapshotSource } from '../db/repositories/sqlite-request-snapshot-source.js';
import { SqliteReservationSyncSource } from '../db/repositories/sqlite-reservation-sync-source.js';
import { InventoryService } from '../licensing/accounts/inventory-service.js';
import { AlertService } from '../licensing/alerts/alert-service.js';
import { ComplianceSweep } from '../licensing/compliance/compliance-sweep.js';
import { ChunkedSweepScanner, type SweepScanner } from '../licensing/alerts/sweep-scanner.js';
import { CatalogService } from '../licensing/catalog/catalog-service.js';
import { LicenseLineService } from '../licensing/licenses/license-line-service.js';
import { AuthorizationService } from '../licensing/device/authorization-service.js';
import { RegistrationService } from '../licensing/device/registration-service.js';
import { EventLogService } from '../licensing/events/event-log-service.js';
import { InstanceAdminService } from '../licensing/instances/instance-admin-service.js';
import { InstanceQueryService } from '../licensing/instances/instance-query-service.js';
import { InlineInstanceReader, SplitInstanceReader, type InstanceReader } from './admin/instances/instance-reader.js';
import { InstanceReadWorker } from './admin/instances/instance-read-worker.js';
import { InlineDeviceIntake, type DeviceIntake } from './device/device-intake.js';
import { DeviceIntakeWorker } from './device/device-intake-worker.js';
import { LicensePoolService } from '../licensing/licenses/license-pool-service.js';
import { LicenseTransferService } from '../licensing/licenses/license-transfer-service.js';
import type { PkiMaterial } from '../licensing/pki/pki-material.js';
import { SatellitePki } from '../licensing/pki/satellite-pki.js';
import type { Clock } from '../licensing/shared/clock.js';
import type { IdGenerator } from '../licensing/shared/id-generator.js';
import type { LicensingTimers } from '../licensing/shared/licensing-timers.js';
import type { UnitOfWork } from '../licensing/shared/unit-of-work.js';
import { ResponseImporter } from '../sync/import/response-importer.js';
import { SatelliteBindingService } from '../licensing/binding/satellite-binding-service.js';
import { TokenService } from '../licensing/tokens/token-service.js';
import { ReservationService } from '../licensing/reservations/reservation-service.js';
import { SatelliteReservationCodec } from '../protocol/reservation/satellite-reservation-codec.js';
import type { AccessTokenService } from '../licensing/users/access-token-service.js';
import type { ApiClientService } from '../licensing/users/api-client-service.js';
import { defaultAuthPolicy, type AuthPolicy } from '../licensing/users/auth-policy.js';
import type { SessionService } from '../licensing/users/session-service.js';
import type { UserService } from '../licensing/users/user-service.js';
import type { DeviceCryptoOptions } from './config.js';
import type { AdminAuthenticator } from './admin/admin-authenticator.js';
import { composeAuthServices } from './admin/auth/auth-services.js';
import { DeviceRequestHandler } from './device/device-request-handler.js';
import { createSignatureChecker, type SignatureChecker } from './device/crypto-worker-pool.js';
import { KEY_CACHE_LIMIT } from '../licensing/pki/signature-verifier.js';
import { BackupService } from './backup/backup-service.js';
import { RequestExporter } from '../sync/export/request-exporter.js';
import { SyncRunner } from '../sync/connected/sync-runner.js';
import { UpstreamClient, type UpstreamClientOptions } from '../sync/connected/upstream-client.js';

export interface SatelliteDeps {
  databaseFile: string;
  pkiMaterial: PkiMaterial;
  clock: Clock;
  newId: IdGenerator;
  timers: LicensingTimers;
  logger: Logger;
  /** Session and token timeouts, lockout; defaults to defaultAuthPolicy. */
  auth?: AuthPolicy;
  /** Connected sync transport: timeout and a private upstream CA (PEM). */
  upstream?: Pick<UpstreamClientOptions, 'timeoutMs' | 'caPem'>;
  /** Called after a user's password change commits (main.ts and the CLI remove the initial admin password file). */
  passwordChanged?: (username: string) => void;
  /** The certificate the HTTPS server presents (main.ts); absent in embedded apps, which have no socket. */
  servedTls?: ServedTls;
  /**
   * Device signature checking (SATELLITE_CRYPTO_WORKERS, SATELLITE_DEVICE_KEY_CACHE). Embedded apps default
   * to verifying inline with the default key cache: no threads for a test's many short-lived apps.
   */
  deviceCrypto?: DeviceCryptoOptions;
  /**
   * WAL checkpoints on a worker thread (SATELLITE_CHECKPOINT_WORKER, db/sqlite-wal-checkpointer.ts). Embedded
   * apps keep SQLite's automatic checkpoint in the writer unless this is true.
   */
  checkpointWorker?: boolean;
  /**
   * The admin's instance lists and CSV exports on a read worker thread (SATELLITE_READ_WORKER), for a file
   * database only. Embedded apps default to inline, as with device crypto.
   */
  readWorker?: boolean;
  /**
   * Device requests parsed and read before any costly work on a worker thread (SATELLITE_DEVICE_READ_WORKER), for
   * a file database only. Embedded apps default to inline.
   */
  deviceReadWorker?: boolean;
}


/** What the HTTPS listener serves, for the Settings view (GET /settings/tls). */
export interface ServedTls {
  certificatePem: string;
  /** SATELLITE_TLS_CERT/KEY: an admin's own certificate rather than one issued by the satellite root. */
  installedByAdmin: boolean;
}

/** Everything the process needs, wired once. Routes, CLI commands and jobs all take their services from here. */
export interface Satellite {
  /** Null in embedded apps (createSatelliteApp), which serve no TLS themselves. */
  servedTls: ServedTls | null;
  db: SqliteDatabase;
  uow: UnitOfWork;
  clock: Clock;
  timers: LicensingTimers;
  logger: Logger;
  pki: SatellitePki;
  inventory: InventoryService;
  tokens: TokenService;
  licensePools: LicensePoolService;
  licenseTransfers: LicenseTransferService;
  registration: RegistrationService;
  authorization: AuthorizationService;
  deviceHandler: DeviceRequestHandler;
  /** Where the device handler verifies signatures; close() ends its workers (main.ts awaits that). */
  signatures: SignatureChecker;
  /** Where the device handler parses requests and reads them early: inline or on the device read worker. */
  deviceIntake: DeviceIntake;
  /** The WAL checkpoint thread, when there is one; main.ts awaits its close before the database's. */
  checkpointer: WalCheckpointer | null;
  /** Alert rules: targeted re-evaluation is wired into the services above; sweep() runs periodically. */
  alerts: AlertService;
  /** Inventory timers, line boundaries, alerts and usage-history rows: what time alone changes (server/jobs/). */
  complianceSweep: ComplianceSweep;
  /** The satellite-wide catalog and its substitution ladders (DESIGN §8.2). */
  catalog: CatalogService;
  /** Local license lines (add, update, end), license detail and usage history. */
  licenseLines: LicenseLineService;
  /** Detail, the account of an instance, and the CLI's reads, on the event loop. */
  instanceQueries: InstanceQueryService;
  /** The admin's instance lists, counts and CSV exports: on the read worker for a file database, else inline. */
  instanceReads: InstanceReader;
  instanceAdmin: InstanceAdminService;
  eventLog: EventLogService;
  /** License reservation (DESIGN §9): codes signed with the satellite signing key. */
  reservations: ReservationService;
  adminAuthenticator: AdminAuthenticator;
  authPolicy: AuthPolicy;
  users: UserService;
  sessions: SessionService;
  apiClients: ApiClientService;
  accessTokens: AccessTokenService;
  /** The binding to the upstream (registration file, mode) and the sync status. */
  satelliteBinding: SatelliteBindingService;
  /** Builds request bundles for the upstream (DESIGN §5.2), signed with the satellite signing key. */
  requestExporter: RequestExporter;
  /** The one import path for response bundles (DESIGN §5.3): CLI, admin API and connected sync. */
  responseImporter: ResponseImporter;
  /** Connected sync: export, POST to the upstream, import (DESIGN §5.1); "sync now" and the schedule share it. */
  syncRunner: SyncRunner;
  /** Online backups (database snapshot and PKI in one archive): CLI, admin API and the schedule. */
  backups: BackupService;
  close(): void;
}

export async function composeSatellite(deps: SatelliteDeps): Promise<Satellite> {
  const db = openDatabase({ filename: deps.databaseFile });
  try {
    const pki = await SatellitePki.load(deps.pkiMaterial, { timers: deps.timers });
    return composeWith(db, pki, deps);
  } catch (error) {
    db.close();
    throw error;
  }
}

function composeWith(db: SqliteDatabase, pki: SatellitePki, deps: SatelliteDeps): Satellite {
  const { clock, newId, timers, logger } = deps;
  const uow = new SqliteUnitOfWork(db);
  const alerts = new AlertService({ uow, clock, newId, timers });
  const registration = new RegistrationService({ uow, clock, newId, timers, issuer: pki, alerts });
  const authorization = new AuthorizationService(timers, alerts);
  const signatures = createSignatureChecker({ ...(deps.deviceCrypto ?? { workers: 0, keyCacheSize: KEY_CACHE_LIMIT }), logger });
  const intake = intakeFor(db, uow, deps);
  const checkpointer = deps.checkpointWorker ? WalCheckpointer.start(db, { logger }) : null;
  const instanceQueries = new InstanceQueryService({ uow, clock });
  const { reader: instanceReads, sweepScanner } = readerFor(db, uow, instanceQueries, deps);
  const requestExporter = new RequestExporter({
    source: new SqliteRequestSnapshotSource(db), reservations: new SqliteReservationSyncSource(db), signingKey: createPrivateKey(deps.pkiMaterial.signingKeyPem), clock, newId,
  });
  const responseImporter = new ResponseImporter({ uow, clock, newId, alerts });
  const syncRunner = new SyncRunner({
    uow, clock, alerts, logger, client: new UpstreamClient({ logger, ...deps.upstream }),
    exportRequest: async (outFile) => {
      await requestExporter.exportRequestBundle({ outFile });
    },
    importResponse: (file, actorId) => responseImporter.importFile(file, actorId),
  });
  return {
    db,
    uow,
    clock,
    timers,
    logger,
    pki,
    servedTls: deps.servedTls ?? null,
    inventory: new InventoryService({ uow, clock, newId, alerts }),
    tokens: new TokenService({ uow, clock, newId, timers, alerts }),
    licensePools: new LicensePoolService({ uow, clock }),
    licenseTransfers: new LicenseTransferService({ uow, clock, newId, alerts }),
    registration,
    authorization,
    deviceHandler: new DeviceRequestHandler({ uow, clock, timers, signer: pki, registration, authorization, signatures, intake, logger }),
    signatures,
    deviceIntake: intake,
    alerts,
    complianceSweep: new ComplianceSweep({ uow, clock, alerts, ...(sweepScanner ? { scanner: sweepScanner } : {}) }),
    catalog: new CatalogService({ uow, clock, alerts }),
    licenseLines: new LicenseLineService({ uow, clock, newId, alerts }),
    instanceQueries,
    instanceReads,
    instanceAdmin: new InstanceAdminService({ uow, clock, timers, registration, alerts }),
    eventLog: new EventLogService({ uow }),
    reservations: new ReservationService({ uow, clock, newId, codec: new SatelliteReservationCodec(pki), alerts }),
    satelliteBinding: new SatelliteBindingService({ uow, clock, newId }),
    requestExporter,
    responseImporter,
    syncRunner,
    backups: new BackupService({ db, pkiMaterial: deps.pkiMaterial, clock }),
    ...composeAuthServices({
      uow, clock, newId, policy: deps.auth ?? defaultAuthPolicy, ...(deps.passwordChanged ? { passwordChanged: deps.passwordChanged } : {}),
    }),
    checkpointer,
    close: () => {
      // Terminating starts at once; workers are unref'd, so nothing waits for it.
      void signatures.close();
      void intake.close();
      void checkpointer?.close();
      void instanceReads.close();
      if (db.open) db.close();
    },
  };
}

/**
 * Linux nice values of the reader threads (instance-read-thread.ts): a list is a short answer an admin waits for; an
 * export walks every instance for most of a minute at 1M and takes only what the device threads leave. Measured at
 * 1M with AUTHORIZE at 1,111/s during a 1M export (docs/performance.md): export reader at 10 → p99 56 ms, at 19 →
 * 46 ms (the export 41 → 43 s); lists at 0 instead of 10 made the device p99 146 ms and the first page no faster.
 */
const LIST_READER_NICE = 10;
const EXPORT_READER_NICE = 19;

/** A worker's read-only connection needs a file it can open a second time; an in-memory database has only its own. */
function hasOwnFile(db: SqliteDatabase): boolean {
  return !db.memory && db.name !== '' && db.name !== ':memory:';
}

function intakeFor(db: SqliteDatabase, uow: UnitOfWork, deps: SatelliteDeps): DeviceIntake {
  const inline = new InlineDeviceIntake(uow);
  if (deps.deviceReadWorker !== true || !hasOwnFile(db)) return inline;
  return new DeviceIntakeWorker({ databaseFile: db.name, logger: deps.logger, fallback: inline });
}

function readerFor(db: SqliteDatabase, uow: UnitOfWork, queries: InstanceQueryService, deps: SatelliteDeps): {
  reader: InstanceReader; sweepScanner: SweepScanner | null;
} {
  const inline = new InlineInstanceReader(queries);
  if (deps.readWorker !== true || !hasOwnFile(db)) return { reader: inline, sweepScanner: null };
  const worker = (nice: number): InstanceReadWorker => new InstanceReadWorker({
    databaseFile: db.name, clock: deps.clock, logger: deps.logger, fallback: inline, nice,
    scanFallback: new ChunkedSweepScanner(uow, nextTurn),
  });
  const lists = worker(LIST_READER_NICE);
  // Started now: the first admin list should not wait for a thread to load the code.
  void lists.warm();
  // The compliance sweep's walks of every instance go with the exports: long, background, lowest priority.
  const exports = worker(EXPORT_READER_NICE);
  return { reader: new SplitInstanceReader(lists, exports), sweepScanner: exports };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => {
  setImmediate(resolve);
});
