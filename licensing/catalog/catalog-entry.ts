import type { SubstitutionLadders } from './substitution-ladders.js';

/** One tag of the satellite-wide catalog (DESIGN §8.2): its names and its place in a substitution ladder. */
export interface CatalogEntry {
  tag: string;
  displayName: string;
  description: string;
  /** A larger level is a higher tier; null when the source gave none (the ladder's shape then decides). */
  substitutionLevel: number | null;
  /** The lower tags this tier may stand in for. */
  substitutes: string[];
  /** 'upstream' entries are replaced at every import; 'local' ones are edited here. */
  origin: 'local' | 'upstream';
  updatedAt: number;
  updatedBy: string;
}

/** The catalog store (db/repositories/sqlite-catalog-repository.ts). */
export interface CatalogRepository {
  list(): CatalogEntry[];
  find(tag: string): CatalogEntry | undefined;
  upsert(entry: CatalogEntry): void;
  /**
   * The ladders of the whole catalog, cached per catalog revision so that AUTHORIZE pays one lookup per
   * request, not one per tier.
   */
  ladders(): SubstitutionLadders;
}
