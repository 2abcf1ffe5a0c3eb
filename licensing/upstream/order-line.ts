import type { LicenseTerms } from '../licenses/license-line.js';

/**
 * A purchased license line as the reference upstream's orders file states it (docs/upstream.md). The order
 * line id is the upstream's key: reloading a file updates the line with that id instead of adding another.
 */
export interface OrderLineTerms extends LicenseTerms {
  orderLineId: string;
  smartAccount: string;
  virtualAccount: string;
  substitutionLadder: string[];
  substitutionLevel: number | null;
}

export interface UpstreamOrderLine extends OrderLineTerms {
  virtualAccountId: string;
  loadedAt: number;
  updatedAt: number;
  /** Goes up by one at every change, so a later sync can tell what changed since it last looked. */
  revision: number;
  /**
   * Set when a reloaded orders file no longer lists the line: the line ends then, and stays on the books
   * (reconcile, never revoke and reissue). Cleared if a later file lists it again.
   */
  endedAt: number | null;
}

/** When the line stops counting: its own end, or the reload that dropped it, whichever comes first. */
export function effectiveEnd(line: Pick<UpstreamOrderLine, 'endsAt' | 'endedAt'>): number | null {
  if (line.endsAt === null) return line.endedAt;
  if (line.endedAt === null) return line.endsAt;
  return Math.min(line.endsAt, line.endedAt);
}

const TERM_FIELDS = [
  'smartAccount', 'virtualAccount', 'tag', 'displayName', 'description', 'quantity', 'licenseType', 'startsAt', 'endsAt', 'substitutionLevel',
] as const satisfies ReadonlyArray<keyof OrderLineTerms>;

export function sameTerms(a: OrderLineTerms, b: OrderLineTerms): boolean {
  return TERM_FIELDS.every((field) => a[field] === b[field])
    && a.substitutionLadder.length === b.substitutionLadder.length
    && a.substitutionLadder.every((tag, i) => tag === b.substitutionLadder[i]);
}
