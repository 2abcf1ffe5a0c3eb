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
  /** Usage rows not reported by `sequence` are gone from the satellite: drop them. */
  dropUsageBefore(satelliteId: string, sequence: number): void;
  countInstances(satelliteId: string): { registered: number; removed: number };
  /** A request carries every reservation of the satellite: what it no longer lists is gone. */
  replaceReservations(satelliteId: string, sequence: number, at: number, reservations: readonly ReportedReservation[]): void;
  reservedSeats(): ReservedSeats[];
}
