import type { StoredUpstreamLine } from './upstream-snapshot.js';

/**
 * A snapshot line with its local virtual account resolved; `id` is the local id to use if it is new. A null
 * ladder is a record that carried none (an upstream older than the per-line ladder): the stored one stays.
 */
export type DesiredLine = Omit<StoredUpstreamLine, 'substitutionLadder'> & { substitutionLadder: string[] | null };

export interface ReconcilePlan {
  insert: StoredUpstreamLine[];
  update: StoredUpstreamLine[];
  /**
   * Lines that stop counting now: those the snapshot no longer holds (ends_at set to now) and those it holds
   * with an end the upstream set at or before now (its terms as sent). The row stays.
   */
  end: StoredUpstreamLine[];
}

const isOver = (line: Pick<StoredUpstreamLine, 'endsAt'>, now: number): boolean => line.endsAt !== null && line.endsAt <= now;

const TERMS: ReadonlyArray<keyof Omit<StoredUpstreamLine, 'substitutionLadder'>> = [
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
  for (const wanted of desired) {
    seen.add(wanted.upstreamLineId);
    const have = byUpstreamId.get(wanted.upstreamLineId);
    const want: StoredUpstreamLine = { ...wanted, substitutionLadder: wanted.substitutionLadder ?? have?.substitutionLadder ?? [] };
    if (!have) {
      plan.insert.push(want);
    } else if (TERMS.some((field) => have[field] !== want[field]) || have.substitutionLadder.join('\n') !== want.substitutionLadder.join('\n')) {
      // A line the upstream ended (its snapshot end is now or past) is an ending, not an update, unless it was over here already.
      const endedUpstream = want.endsAt !== null && want.endsAt <= now && !isOver(have, now);
      (endedUpstream ? plan.end : plan.update).push({ ...want, id: have.id });
    }
  }
  for (const have of stored) {
    if (seen.has(have.upstreamLineId)) continue;
    // Already over: ending it again would move its end date and rewrite history.
    if (isOver(have, now)) continue;
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
