import { isLineActive, type LicenseLine } from '../licenses/license-line.js';
import { ConflictError, ValidationError } from '../shared/domain-error.js';
import type { ReservationType, ReservedLicense } from './reservation.js';
import { heldSeats } from './reservation.js';

export interface LicenseAsk { tag: string; quantity: number }

export const MAX_LICENSES_PER_RESERVATION = 100;

/**
 * The shape of an ask, before any pool is read: whole quantities of at least 1, each tag once; a PLR
 * (UNIVERSAL) reservation is one seat of one license (DESIGN §9.2).
 */
export function checkAsks(type: ReservationType, asks: readonly LicenseAsk[]): void {
  if (asks.length === 0) throw new ValidationError('licenses: a reservation needs at least one license', { field: 'licenses' });
  if (asks.length > MAX_LICENSES_PER_RESERVATION) {
    throw new ValidationError(`licenses: at most ${MAX_LICENSES_PER_RESERVATION} licenses per reservation`, { field: 'licenses' });
  }
  const seen = new Set<string>();
  for (const ask of asks) {
    if (!Number.isSafeInteger(ask.quantity) || ask.quantity < 1) {
      throw new ValidationError(`quantity of ${ask.tag} must be a whole number of at least 1, got ${String(ask.quantity)}`, { field: 'quantity', tag: ask.tag });
    }
    if (seen.has(ask.tag)) throw new ValidationError(`license ${ask.tag} is listed twice`, { field: 'licenses', tag: ask.tag });
    seen.add(ask.tag);
  }
  const [only] = asks;
  if (type === 'UNIVERSAL' && (asks.length !== 1 || only?.quantity !== 1)) {
    throw new ValidationError('a UNIVERSAL (PLR) reservation is one seat of one license: give exactly one license with quantity 1', { field: 'licenses' });
  }
}

/** The active line a reservation of this tag draws on: the earliest-ending, perpetual last (DESIGN §9.1). */
export function drawnLine(lines: readonly LicenseLine[], tag: string, virtualAccountName: string, now: number): LicenseLine {
  const active = lines.filter((l) => isLineActive(l, now) && l.quantity > 0);
  const [line] = active.sort((a, b) => (a.endsAt ?? Infinity) - (b.endsAt ?? Infinity) || a.createdAt - b.createdAt);
  if (!line) throw new ValidationError(`virtual account ${virtualAccountName} holds no active license ${tag}`, { field: 'entitlementTag', tag });
  return line;
}

/** 409 naming the license, the quantity asked and the quantity available (DESIGN §9.2). */
export function checkBalance(line: LicenseLine, asked: number, extraSeats: number, available: number): void {
  if (extraSeats <= available) return;
  const canHave = Math.max(0, available) + (asked - extraSeats);
  throw new ConflictError(
    `cannot reserve ${asked} of ${line.displayName} (${line.tag}): ${Math.max(0, canHave)} available`,
    { tag: line.tag, license: line.displayName, asked, available: Math.max(0, canHave) },
  );
}

/** The licenses of an update in transit: the old ones keep their quantity, each carries its new one. */
export function pendingLicenses(current: readonly ReservedLicense[], asks: readonly LicenseAsk[]): ReservedLicense[] {
  const byTag = new Map(current.map((l) => [l.tag, { ...l, pendingQuantity: 0 }]));
  for (const ask of asks) {
    const existing = byTag.get(ask.tag);
    byTag.set(ask.tag, { tag: ask.tag, quantity: existing?.quantity ?? 0, pendingQuantity: ask.quantity });
  }
  return [...byTag.values()];
}

/** Seat deltas per tag between two license sets, for pool_usage.reserved. */
export function heldDeltas(before: readonly ReservedLicense[], after: readonly ReservedLicense[]): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const l of before) deltas.set(l.tag, (deltas.get(l.tag) ?? 0) - heldSeats(l));
  for (const l of after) deltas.set(l.tag, (deltas.get(l.tag) ?? 0) + heldSeats(l));
  return deltas;
}

/** SLR dates are YYYY-MM-DD (UTC). */
export function isoDate(epochMs: number | null): string {
  return epochMs === null ? '' : new Date(epochMs).toISOString().slice(0, 10);
}
