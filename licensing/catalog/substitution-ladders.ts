import type { CatalogEntry } from './catalog-entry.js';

/**
 * The substitution graph of a catalog: a tier (an entry with substitutes) may lend to every tag it reaches
 * through its substitutes, transitively, as long as the lender is the higher tier. Levels come from the
 * entries; a tier without a level sits one above the highest tier it stands in for. Cycles in the data are
 * harmless: lending needs a strictly higher level, so a tier never lends to itself or back.
 */
export class SubstitutionLadders {
  readonly #entries: ReadonlyMap<string, CatalogEntry>;
  readonly #levels = new Map<string, number>();
  readonly #lenders = new Map<string, string[]>();
  readonly #groups = new Map<string, string[]>();

  constructor(entries: readonly CatalogEntry[]) {
    this.#entries = new Map(entries.map((e) => [e.tag, e]));
    const neighbours = new Map<string, Set<string>>();
    const link = (a: string, b: string): void => {
      const set = neighbours.get(a) ?? new Set<string>();
      set.add(b);
      neighbours.set(a, set);
    };
    for (const entry of entries) {
      for (const lower of entry.substitutes) {
        if (lower === entry.tag) continue;
        link(entry.tag, lower);
        link(lower, entry.tag);
      }
    }
    for (const tag of neighbours.keys()) {
      if (this.#groups.has(tag)) continue;
      const group = connected(tag, neighbours);
      for (const member of group) this.#groups.set(member, group);
    }
    for (const tag of this.#groups.keys()) this.#levels.set(tag, this.#levelOf(tag, new Set()));
    for (const entry of entries) {
      const level = this.level(entry.tag);
      for (const lower of this.#reachable(entry.tag)) {
        if (this.level(lower) >= level) continue;
        const list = this.#lenders.get(lower) ?? [];
        list.push(entry.tag);
        this.#lenders.set(lower, list);
      }
    }
    // Nearest higher tier first (DESIGN §8.2); equal levels by tag so the order never depends on the data's.
    for (const list of this.#lenders.values()) list.sort((a, b) => this.level(a) - this.level(b) || a.localeCompare(b));
  }

  entry(tag: string): CatalogEntry | undefined {
    return this.#entries.get(tag);
  }

  /** Every tag connected with this one by substitution, itself included; just the tag when it is in no ladder. */
  group(tag: string): readonly string[] {
    return this.#groups.get(tag) ?? [tag];
  }

  level(tag: string): number {
    return this.#levels.get(tag) ?? this.#entries.get(tag)?.substitutionLevel ?? 0;
  }

  /** The tiers that may lend to this tag, nearest higher first. */
  lendersOf(tag: string): readonly string[] {
    return this.#lenders.get(tag) ?? [];
  }

  #levelOf(tag: string, visiting: Set<string>): number {
    const entry = this.#entries.get(tag);
    if (entry?.substitutionLevel !== null && entry?.substitutionLevel !== undefined) return entry.substitutionLevel;
    if (!entry || visiting.has(tag)) return 0;
    visiting.add(tag);
    const below = entry.substitutes.filter((t) => t !== tag).map((t) => this.#levelOf(t, visiting));
    visiting.delete(tag);
    return below.length === 0 ? 0 : Math.max(...below) + 1;
  }

  #reachable(tag: string): Set<string> {
    const seen = new Set<string>();
    const queue = [...(this.#entries.get(tag)?.substitutes ?? [])];
    while (queue.length > 0) {
      const next = queue.pop();
      if (next === undefined || next === tag || seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.#entries.get(next)?.substitutes ?? []));
    }
    return seen;
  }
}

function connected(start: string, neighbours: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const tag = queue.pop();
    if (tag === undefined) break;
    for (const next of neighbours.get(tag) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return [...seen].sort();
}

export const emptyLadders = new SubstitutionLadders([]);
