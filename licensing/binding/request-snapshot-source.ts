import type { SatelliteBinding } from './satellite-binding.js';

/** A product instance as a request bundle reports it; names are the upstream's where the VA is bound. */
export interface ReportedInstance {
  productInstanceId: string;
  account: string;
  virtualAccount: string;
  removed: boolean;
  udiPid: string;
  udiSerialNumber: string;
  udiVid: string | null;
  hostIdentifier: string | null;
  productTag: string;
  hostname: string | null;
  registrationState: 'REGISTERED' | 'UNREGISTERED';
  authorizationState: string;
  registeredAt: number;
  lastContactAt: number;
  entitlements: Array<{ tag: string; requested: number; authorized: number }>;
}

export interface ReportedUsage {
  account: string;
  virtualAccount: string;
  tag: string;
  authorized: number;
  requested: number;
  reserved: number;
  /**
   * The highest in use (reported + reserved) since the last acknowledged request, from the usage history at day
   * granularity (the day of that request counts whole), never below the current in use.
   */
  peak: number;
}

export interface ReportedLocalVirtualAccount {
  account: string;
  name: string;
  description: string;
  createdAt: number;
}

export interface ReportedEventCount {
  type: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

/**
 * Receives the snapshot row by row, synchronously, while the transaction is open: the caller spools the
 * rows to disk so that nothing proportional to the inventory is held in memory (100,000 instances).
 */
export interface RequestSnapshotSink {
  instance(row: ReportedInstance): void;
  usage(row: ReportedUsage): void;
  localVirtualAccount(row: ReportedLocalVirtualAccount): void;
  eventCount(row: ReportedEventCount): void;
}

export interface RequestSnapshotHeader {
  binding: SatelliteBinding;
  /** The request sequence reserved (and persisted) for this export. */
  sequence: number;
  /** When the last acknowledged export was taken; null when nothing was acknowledged yet (usage peaks and events since then). */
  since: number | null;
  /**
   * The request the instances are relative to: null = a full snapshot (every instance); N = the changes since N's
   * snapshot, N being what the upstream last said it holds (SyncState.instancesSequence, else the acknowledged one).
   */
  instancesBaseSequence: number | null;
  /** The snapshot time of instancesBaseSequence (null for a full snapshot). */
  instancesSince: number | null;
}

/** Reads what a request bundle carries (DESIGN §5.2); implemented in db/. */
export interface RequestSnapshotSource {
  /**
   * In ONE write transaction: reserves the next request sequence, records `now` as this sequence's snapshot
   * time (the "since" of the export after it is acknowledged), and feeds every row to the sink. Throws a
   * ConflictError when the satellite is not bound to an upstream.
   */
  takeSnapshot(now: number, sink: RequestSnapshotSink): RequestSnapshotHeader;
}
