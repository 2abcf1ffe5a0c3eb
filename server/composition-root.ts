import type { Logger } from 'pino';
import { openDatabase, type SqliteDatabase } from '../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../db/sqlite-unit-of-work.js';
import { InventoryService } from '../licensing/accounts/inventory-service.js';
import { AuthorizationService } from '../licensing/device/authorization-service.js';
import { RegistrationService } from '../licensing/device/registration-service.js';
import type { PkiMaterial } from '../licensing/pki/pki-material.js';
import { SatellitePki } from '../licensing/pki/satellite-pki.js';
import type { Clock } from '../licensing/shared/clock.js';
import type { IdGenerator } from '../licensing/shared/id-generator.js';
import type { LicensingTimers } from '../licensing/shared/licensing-timers.js';
import type { UnitOfWork } from '../licensing/shared/unit-of-work.js';
import { TokenService } from '../licensing/tokens/token-service.js';
import type { AdminAuthenticator } from './admin/admin-authenticator.js';
import { DeviceRequestHandler } from './device/device-request-handler.js';

export interface SatelliteDeps {
  databaseFile: string;
  pkiMaterial: PkiMaterial;
  clock: Clock;
  newId: IdGenerator;
  timers: LicensingTimers;
  logger: Logger;
}

/** Everything the process needs, wired once. Routes, CLI commands and jobs all take their services from here. */
export interface Satellite {
  db: SqliteDatabase;
  uow: UnitOfWork;
  clock: Clock;
  timers: LicensingTimers;
  logger: Logger;
  pki: SatellitePki;
  inventory: InventoryService;
  tokens: TokenService;
  registration: RegistrationService;
  authorization: AuthorizationService;
  deviceHandler: DeviceRequestHandler;
  adminAuthenticator: AdminAuthenticator;
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
  const registration = new RegistrationService({ uow, clock, newId, timers, issuer: pki });
  const authorization = new AuthorizationService(timers);
  return {
    db,
    uow,
    clock,
    timers,
    logger,
    pki,
    inventory: new InventoryService({ uow, clock, newId }),
    tokens: new TokenService({ uow, clock, newId, timers }),
    registration,
    authorization,
    deviceHandler: new DeviceRequestHandler({ uow, clock, timers, signer: pki, registration, authorization, logger }),
    // Replaced by the real authenticator (sessions, bearer tokens) in the admin-auth work; until then no
    // admin credential is accepted, which keeps the admin surface closed by default.
    adminAuthenticator: { authenticate: () => null },
    close: () => {
      if (db.open) db.close();
    },
  };
}
