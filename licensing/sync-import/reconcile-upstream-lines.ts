import type { StoredUpstreamLine } from './upstream-snapshot.js';

/** A snapshot line with its local virtual account resolved; `id` is the local id to use if it is new. */
export type DesiredLine = StoredUpstreamLine;

export interface ReconcilePlan {
  insert: StoredUpstreamLine[];
  update: StoredUpstreamLine[];
  /** Lines the snapshot no longer holds, with ends_at set to now: they stop counting, the row stays. */
  end: StoredUpstreamLine[];
}

const TERMS: ReadonlyArray<keyof StoredUpstreamLine> = [
  'virtualAccountId', 'tag', 'displayName', 'description', 'quantity', 'licenseType', 'startsAt', 'endsAt', 'revision',
];

/**
 * Reconciles the stored upstream lines with a full snapshot by upstream line id (DESIGN §5.2: never revoke
 * and reissue). A known line keeps its local id whatever changed, so transfer lines that reference it stay
 * attached; a line absent from the snapshot ends now instead of being deleted, so history and transfers keep
 * their source. Pure: the caller applies the plan inside its transaction.
 */
export function reconcileUpstreamLines(stored: readonly StoredUpstreamLine[], desired: readonly DesiredLine[], now: number): ReconcilePlan {
  const byUpstreamId = new Map(stored.map((line) => [line.upstreamLineId, line]));
  const plan: ReconcilePlan = { insert: [], update: [], end: [] };
  const seen = new Set<string>();
  for (const want of desired) {
    seen.add(want.upstreamLineId);
    const have = byUpstreamId.get(want.upstreamLineId);
    if (!have) {
      plan.insert.push(want);
    } else if (TERMS.some((field) => have[field] !== want[field])) {
      plan.update.push({ ...want, id: have.id });
    }
  }
  for (const have of stored) {
    if (seen.has(have.upstreamLineId)) continue;
    // Already over: ending it again would move its end date and rewrite history.
    if (have.endsAt !== null && have.endsAt <= now) continue;
    plan.end.push({ ...have, endsAt: now });
  }
  return plan;
}

/** Duplicate upstream ids in one snapshot are a broken snapshot, not two lines. */
export function findDuplicateUpstreamId(lines: ReadonlyArray<{ upstreamLineId: string }>): string | null {
  const seen = new Set<string>();
  for (const line of lines) {
    if (seen.has(line.upstreamLineId)) return line.upstreamLineId;
    seen.add(line.upstreamLineId);
  }
  return null;
}
