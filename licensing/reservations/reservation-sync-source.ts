/** A reservation as a request bundle reports it; names are the upstream's (only bound VAs travel). */
export interface ReportedReservation {
  productInstanceId: string;
  account: string;
  virtualAccount: string;
  type: 'SPECIFIC' | 'UNIVERSAL';
  status: 'RESERVED' | 'IN_TRANSIT';
  udiPid: string;
  udiSerialNumber: string;
  licenses: Array<{ tag: string; reserved: number }>;
  createdAt: number;
  confirmedAt: number | null;
}

/** Reads the reservations of the VAs bound to the upstream (db/); nothing of an unbound account leaves. */
export interface ReservationSyncSource {
  boundReservations(): ReportedReservation[];
}
