import type { AlertTriggers } from '../alerts/alert-triggers.js';
import type { Clock } from '../shared/clock.js';
import { ValidationError } from '../shared/domain-error.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { CatalogEntry } from './catalog-entry.js';

export interface CatalogEntryInput {
  displayName: string;
  description?: string;
  substitutionLevel?: number | null;
  substitutes?: string[];
}

/** What an upstream's catalog record carries (licensing/sync-import/upstream-snapshot.ts CatalogItem). */
export interface UpstreamCatalogItem {
  tag: string;
  displayName: string;
  description: string;
  substitutionLadder: string[];
  substitutionLevel?: number | null;
}

export interface CatalogServiceDeps { uow: UnitOfWork; clock: Clock; alerts: AlertTriggers }

/**
 * The satellite-wide catalog (DESIGN §8.2): names and substitution ladders per tag, edited locally (API, CLI)
 * for satellites and accounts without an upstream, replaced by the upstream's entry at every import. A change
 * re-evaluates every pool of the ladders it touches, since lending follows the ladders.
 */
export class CatalogService {
  readonly #deps: CatalogServiceDeps;

  constructor(deps: CatalogServiceDeps) {
    this.#deps = deps;
  }

  list(): CatalogEntry[] {
    return this.#deps.uow.read((repos) => repos.catalog.list());
  }

  set(tag: string, input: CatalogEntryInput, actorId: string): CatalogEntry {
    const cleanTag = tag.trim();
    if (cleanTag.length === 0 || cleanTag.length > 256) throw new ValidationError('tag must be 1-256 characters', { field: 'tag' });
    const displayName = input.displayName.trim();
    if (displayName.length === 0 || displayName.length > 300) throw new ValidationError('displayName must be 1-300 characters', { field: 'displayName' });
    const level = input.substitutionLevel ?? null;
    if (level !== null && (!Number.isInteger(level) || level < 0 || level > 1000)) {
      throw new ValidationError('substitutionLevel must be a whole number from 0 to 1000, or null', { field: 'substitutionLevel' });
    }
    const substitutes = [...new Set((input.substitutes ?? []).map((t) => t.trim()))];
    if (substitutes.some((t) => t.length === 0 || t.length > 256)) throw new ValidationError('substitutes must be tags of 1-256 characters', { field: 'substitutes' });
    if (substitutes.includes(cleanTag)) throw new ValidationError('a tier cannot stand in for itself', { field: 'substitutes' });
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const entry: CatalogEntry = {
        tag: cleanTag, displayName, description: (input.description ?? '').trim(), substitutionLevel: level, substitutes,
        origin: 'local', updatedAt: now, updatedBy: actorId,
      };
      requireConsistentLadder(repos, entry);
      const before = repos.catalog.ladders().group(cleanTag);
      repos.catalog.upsert(entry);
      repos.events.append({
        occurredAt: now, accountId: null, virtualAccountId: null, actorType: 'user', actorId, type: 'CATALOG_ENTRY_UPDATED',
        message: `Catalog entry ${displayName} (${cleanTag}) set: level ${level ?? '-'}, stands in for ${substitutes.length} tag${substitutes.length === 1 ? '' : 's'}`,
        details: { tag: cleanTag, substitutionLevel: level, substitutes },
      });
      reevaluateLadders(repos, this.#deps.alerts, [...before, ...repos.catalog.ladders().group(cleanTag)], now);
      return entry;
    });
  }
}

/**
 * Upserts an upstream's catalog records inside the import's transaction (the upstream's entry replaces the
 * local one, DESIGN §8.2) and re-evaluates the pools of every ladder they touch.
 */
export function applyUpstreamCatalog(repos: Repositories, alerts: Pick<AlertTriggers, 'poolsChanged'>, items: readonly UpstreamCatalogItem[], now: number, upstreamId: string): void {
  if (items.length === 0) return;
  const touched = new Set<string>();
  for (const item of items) {
    const existing = repos.catalog.find(item.tag);
    for (const tag of repos.catalog.ladders().group(item.tag)) touched.add(tag);
    repos.catalog.upsert({
      tag: item.tag, displayName: item.displayName, description: item.description,
      substitutionLevel: item.substitutionLevel ?? (existing?.origin === 'upstream' ? existing.substitutionLevel : null),
      substitutes: item.substitutionLadder.filter((t) => t !== item.tag), origin: 'upstream', updatedAt: now, updatedBy: upstreamId,
    });
  }
  const ladders = repos.catalog.ladders();
  for (const item of items) for (const tag of ladders.group(item.tag)) touched.add(tag);
  reevaluateLadders(repos, alerts, [...touched], now);
}

/** A tier may only stand in for lower tiers: refuse a level at or below a substitute's, and any cycle. */
function requireConsistentLadder(repos: Repositories, entry: CatalogEntry): void {
  const others = new Map(repos.catalog.list().filter((e) => e.tag !== entry.tag).map((e) => [e.tag, e]));
  for (const lower of entry.substitutes) {
    const known = others.get(lower)?.substitutionLevel;
    if (entry.substitutionLevel !== null && known !== null && known !== undefined && known >= entry.substitutionLevel) {
      throw new ValidationError(`${lower} is at level ${known}, not below ${entry.substitutionLevel}: a tier may only stand in for lower tiers`, { field: 'substitutes' });
    }
  }
  const seen = new Set<string>();
  const queue = [...entry.substitutes];
  while (queue.length > 0) {
    const tag = queue.pop();
    if (tag === undefined || seen.has(tag)) continue;
    if (tag === entry.tag) throw new ValidationError(`${entry.tag} would stand in for itself through its substitutes; a ladder cannot loop`, { field: 'substitutes' });
    seen.add(tag);
    queue.push(...(others.get(tag)?.substitutes ?? []));
  }
}

function reevaluateLadders(repos: Repositories, alerts: Pick<AlertTriggers, 'poolsChanged'>, tags: readonly string[], now: number): void {
  const unique = [...new Set(tags)];
  for (const account of repos.accounts.listAccounts()) {
    for (const va of repos.accounts.listVirtualAccounts(account.id)) alerts.poolsChanged(repos, va.id, unique, now);
  }
}
