import { lotsOf } from '../licenses/license-transfer.js';
import type { LicenseLine } from '../licenses/license-line.js';
import type { VirtualAccountOccupancy } from './account-repository.js';

export interface HeldLicense {
  tag: string;
  displayName: string;
  quantity: number;
}

/** What a virtual account still holds; any of it keeps the VA from being deleted (DESIGN §3). */
export interface VirtualAccountContents extends VirtualAccountOccupancy {
  heldLicenses: HeldLicense[];
  upstreamLines: number;
}

/**
 * Licenses a VA still holds: lots with a non-zero quantity that have not ended (future lines count, they
 * will be usable). Ended local lines and transfer pairs that cancel out are history, not holdings.
 */
export function heldLicenses(lines: readonly LicenseLine[], now: number): HeldLicense[] {
  const held = new Map<string, HeldLicense>();
  for (const lot of lotsOf(lines)) {
    if (lot.quantity === 0 || (lot.terms.endsAt !== null && lot.terms.endsAt <= now)) continue;
    const entry = held.get(lot.terms.tag) ?? { tag: lot.terms.tag, displayName: lot.terms.displayName, quantity: 0 };
    entry.quantity += lot.quantity;
    held.set(lot.terms.tag, entry);
  }
  return [...held.values()];
}

export function contentsOf(occupancy: VirtualAccountOccupancy, lines: readonly LicenseLine[], now: number): VirtualAccountContents {
  return {
    ...occupancy,
    heldLicenses: heldLicenses(lines, now),
    // Upstream lines are the upstream's to remove; deleting them here would only bring them back at the next sync.
    upstreamLines: lines.filter((l) => l.origin === 'upstream').length,
  };
}

/** The reasons a VA is not empty, in words for a 409; empty when it may be deleted. */
export function describeContents(contents: VirtualAccountContents): string[] {
  const reasons: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (contents.registeredInstances > 0) reasons.push(plural(contents.registeredInstances, 'registered product instance'));
  if (contents.heldLicenses.length > 0) {
    reasons.push(`licenses (${contents.heldLicenses.map((h) => `${h.quantity} x ${h.displayName}`).join(', ')})`);
  }
  if (contents.upstreamLines > 0) reasons.push(plural(contents.upstreamLines, 'license line') + ' from the upstream');
  if (contents.activeTokens > 0) reasons.push(plural(contents.activeTokens, 'active token'));
  return reasons;
}
