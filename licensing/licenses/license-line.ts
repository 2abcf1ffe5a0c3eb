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
  origin: 'local' | 'upstream';
  createdAt: number;
}

/** A line counts towards the pool from its start until (excluding) its end. */
export function isLineActive(line: Pick<LicenseLine, 'startsAt' | 'endsAt'>, now: number): boolean {
  return line.startsAt <= now && (line.endsAt === null || now < line.endsAt);
}
