import { isLineActive, type LicenseLine } from './license-line.js';

/** One move of licenses of one tag between two virtual accounts of the same account. */
export interface LicenseTransfer {
  id: string;
  accountId: string;
  tag: string;
  fromVirtualAccountId: string;
  toVirtualAccountId: string;
  quantity: number;
  createdAt: number;
  createdBy: string;
}

/**
 * What a VA holds of one local or upstream line: the line itself when the VA owns it, plus or minus the
 * transfer lines drawn from it. `terms` is a line carrying the lot's type, dates and names.
 */
export interface LicenseLot {
  sourceLineId: string;
  terms: LicenseLine;
  quantity: number;
}

export function sourceLineIdOf(line: LicenseLine): string {
  return line.transfer?.sourceLineId ?? line.id;
}

/** Groups a VA's lines of one tag into lots, in the order their source lines first appear. */
export function lotsOf(lines: readonly LicenseLine[]): LicenseLot[] {
  const lots = new Map<string, LicenseLot>();
  for (const line of lines) {
    const key = sourceLineIdOf(line);
    const lot = lots.get(key);
    if (!lot) {
      lots.set(key, { sourceLineId: key, terms: line, quantity: line.quantity });
      continue;
    }
    lot.quantity += line.quantity;
    // The source line's own row is the authoritative copy of the terms when the VA has it.
    if (line.id === key) lot.terms = line;
  }
  return [...lots.values()];
}

export interface TransferDraw {
  lot: LicenseLot;
  quantity: number;
}

/**
 * Chooses what to move: active lots with something left, the soonest-ending first (perpetual last), the way
 * term licenses are consumed. Returns fewer than asked when the lots cannot cover it; the caller refuses then.
 */
export function planTransfer(lines: readonly LicenseLine[], quantity: number, now: number): TransferDraw[] {
  const drawable = lotsOf(lines)
    .filter((lot) => lot.quantity > 0 && isLineActive(lot.terms, now))
    .sort((a, b) => endOrder(a.terms) - endOrder(b.terms) || a.terms.startsAt - b.terms.startsAt
      || a.sourceLineId.localeCompare(b.sourceLineId));
  const draws: TransferDraw[] = [];
  let left = quantity;
  for (const lot of drawable) {
    if (left === 0) break;
    const take = Math.min(left, lot.quantity);
    draws.push({ lot, quantity: take });
    left -= take;
  }
  return draws;
}

function endOrder(line: LicenseLine): number {
  return line.endsAt ?? Number.MAX_SAFE_INTEGER;
}

/** The pair of lines that materialise one draw of a transfer: taken from the source, given to the destination. */
export function transferLines(
  transfer: LicenseTransfer, draw: TransferDraw, ids: { out: string; in: string },
): { out: LicenseLine; in: LicenseLine } {
  const terms = draw.lot.terms;
  const base = {
    tag: transfer.tag, displayName: terms.displayName, description: terms.description, licenseType: terms.licenseType,
    startsAt: terms.startsAt, endsAt: terms.endsAt, substitutionLadder: terms.substitutionLadder,
    substitutionLevel: terms.substitutionLevel, origin: 'transfer' as const, createdAt: transfer.createdAt,
    transfer: { transferId: transfer.id, sourceLineId: draw.lot.sourceLineId },
  };
  return {
    out: { ...base, id: ids.out, virtualAccountId: transfer.fromVirtualAccountId, quantity: -draw.quantity },
    in: { ...base, id: ids.in, virtualAccountId: transfer.toVirtualAccountId, quantity: draw.quantity },
  };
}
