import type { UpstreamOrderLine } from './order-line.js';
import type { RegisteredSatellite } from './registered-satellite.js';
import type { SatelliteReportRepository } from './satellite-report.js';

/** Ports of the reference upstream's own database (db/upstream/), kept apart from the satellite's. */
export interface UpstreamAccount {
  id: string;
  name: string;
  createdAt: number;
}

export interface UpstreamVirtualAccount {
  id: string;
  accountId: string;
  name: string;
  createdAt: number;
}

export interface UpstreamOrderRepository {
  findAccountByName(name: string): UpstreamAccount | undefined;
  insertAccount(account: UpstreamAccount): void;
  listAccounts(): UpstreamAccount[];
  findVirtualAccount(accountId: string, name: string): UpstreamVirtualAccount | undefined;
  insertVirtualAccount(va: UpstreamVirtualAccount): void;
  listVirtualAccounts(accountId: string): UpstreamVirtualAccount[];
  /** Every line ever loaded, ended ones included, ordered by order line id. */
  listLines(): UpstreamOrderLine[];
  insertLine(line: UpstreamOrderLine): void;
  /** Replaces the stored line with the same order line id. */
  updateLine(line: UpstreamOrderLine): void;
}

export interface RegisteredSatelliteRepository {
  insert(satellite: RegisteredSatellite): void;
  /** Replaces the stored satellite with the same id. */
  update(satellite: RegisteredSatellite): void;
  findById(id: string): RegisteredSatellite | undefined;
  list(): RegisteredSatellite[];
  listActive(): RegisteredSatellite[];
}

export interface UpstreamRepositories {
  orders: UpstreamOrderRepository;
  satellites: RegisteredSatelliteRepository;
  reports: SatelliteReportRepository;
}

/** Synchronous transactions, as on the satellite (licensing/shared/unit-of-work.ts). */
export interface UpstreamUnitOfWork {
  write<T>(work: (repos: UpstreamRepositories) => T): T;
  read<T>(work: (repos: UpstreamRepositories) => T): T;
}

/** The upstream's opened database; sync/upstream/ receives a way to open one so it never imports db/. */
export interface UpstreamStore {
  uow: UpstreamUnitOfWork;
  close(): void;
}

export type OpenUpstreamStore = (filename: string) => UpstreamStore;
