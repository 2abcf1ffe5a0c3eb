/** A product instance as a satellite reported it; `record` is the wire record, kept verbatim as JSON. */
export interface ReportedProductInstance {
  productInstanceId: string;
  account: string;
  virtualAccount: string;
  removed: boolean;
  record: string;
}

export interface ReportedPoolUsage {
  account: string;
  virtualAccount: string;
  tag: string;
  authorized: number;
  requested: number;
  reserved: number;
  peak: number;
}

/** A VA created locally on the satellite, in an account the registration binds. */
export interface ReportedVirtualAccount {
  account: string;
  name: string;
  description: string;
  createdAt: number;
}

/** One line of a request's event summary: events of one type since the satellite's last acknowledged request. */
export interface ReportedEventCount {
  type: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

/** What the upstream holds of one satellite's reports, for `satellite upstream status`. */
export interface SatelliteReportSummary {
  instances: { registered: number; removed: number };
  usageRows: number;
  virtualAccounts: Array<ReportedVirtualAccount & { reportedSequence: number }>;
  eventSummary: Array<ReportedEventCount & { reportedSequence: number }>;
}

export interface ReportedReservation {
  productInstanceId: string;
  account: string;
  virtualAccount: string;
  /** Seats held per tag. */
  licenses: Array<{ tag: string; reserved: number }>;
  record: string;
}

/** Seats reserved per account, VA and tag, over every satellite. */
export interface ReservedSeats { account: string; virtualAccount: string; tag: string; reserved: number }

/** Where the upstream keeps what satellites report (db/upstream/). */
export interface SatelliteReportRepository {
  upsertInstance(satelliteId: string, sequence: number, at: number, instance: ReportedProductInstance): void;
  upsertUsage(satelliteId: string, sequence: number, at: number, usage: ReportedPoolUsage): void;
  upsertVirtualAccount(satelliteId: string, sequence: number, at: number, va: ReportedVirtualAccount): void;
  upsertEventCount(satelliteId: string, sequence: number, at: number, count: ReportedEventCount): void;
  /** Usage, VA and event summary rows not reported by `sequence` are no longer the satellite's: drop them. */
  dropReportsBefore(satelliteId: string, sequence: number): void;
  /** After a full snapshot: every instance held for the satellite that request `sequence` did not list is removed. */
  markUnlistedInstancesRemoved(satelliteId: string, sequence: number, at: number): void;
  countInstances(satelliteId: string): { registered: number; removed: number };
  summarize(satelliteId: string): SatelliteReportSummary;
  /** A request carries every reservation of the satellite: what it no longer lists is gone. */
  replaceReservations(satelliteId: string, sequence: number, at: number, reservations: readonly ReportedReservation[]): void;
  reservedSeats(): ReservedSeats[];
}
