export type LicenseType = 'PERPETUAL' | 'TERM' | 'SUBSCRIPTION';

export interface LicenseLine {
  id: string;
  virtualAccountId: string;
  tag: string;
  displayName: string;
  description: string;
  quantity: number;
  licenseType: LicenseType;
  startsAt: number;
  /** null for perpetual lines. */
  endsAt: number | null;
  /** Tags a higher-level license may stand in for, lowest level first. */
  substitutionLadder: string[];
  substitutionLevel: number | null;
  origin: LicenseLineOrigin;
  createdAt: number;
  /** Set on 'transfer' lines only: the transfer they belong to and the local or upstream line whose terms they carry. */
  transfer?: LineTransferRef;
}

/** 'transfer' lines come in pairs (negative in the source VA, positive in the destination); see license-transfer.ts. */
export type LicenseLineOrigin = 'local' | 'upstream' | 'transfer';

export interface LineTransferRef {
  transferId: string;
  sourceLineId: string;
}

/** The terms every license line carries, wherever it lives: locally, in an upstream snapshot or an order. */
export type LicenseTerms = Pick<LicenseLine, 'tag' | 'displayName' | 'description' | 'quantity' | 'licenseType' | 'startsAt' | 'endsAt'>;

/** A line counts towards the pool from its start until (excluding) its end. */
export function isLineActive(line: Pick<LicenseLine, 'startsAt' | 'endsAt'>, now: number): boolean {
  return line.startsAt <= now && (line.endsAt === null || now < line.endsAt);
}
