import { z } from 'zod';
import type { CatalogEntry, CatalogRepository } from '../../licensing/catalog/catalog-entry.js';
import { SubstitutionLadders } from '../../licensing/catalog/substitution-ladders.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface EntryRow {
  tag: string; display_name: string; description: string; substitution_level: number | null; substitutes: string;
  origin: string; updated_at: number; updated_by: string;
}

const tagList = z.array(z.string());
const REVISION_KEY = 'catalog.revision';

const toEntry = (row: EntryRow): CatalogEntry => ({
  tag: row.tag, displayName: row.display_name, description: row.description, substitutionLevel: row.substitution_level,
  substitutes: tagList.parse(JSON.parse(row.substitutes)), origin: row.origin === 'upstream' ? 'upstream' : 'local',
  updatedAt: row.updated_at, updatedBy: row.updated_by,
});

/**
 * The satellite-wide catalog. Every write bumps a revision in `settings` in the same transaction, and the
 * ladders are rebuilt only when the stored revision differs from the cached one: a write by another process
 * (the CLI) or a rolled-back write is seen at the next read, and AUTHORIZE pays one indexed read per call.
 */
export class SqliteCatalogRepository implements CatalogRepository {
  readonly #all;
  readonly #one;
  readonly #upsert;
  readonly #revision;
  readonly #bump;
  #cached: { revision: string; ladders: SubstitutionLadders } | null = null;

  constructor(db: SqliteDatabase) {
    this.#all = db.prepare<[], EntryRow>('SELECT * FROM catalog_entries ORDER BY tag');
    this.#one = db.prepare<[string], EntryRow>('SELECT * FROM catalog_entries WHERE tag = ?');
    this.#upsert = db.prepare(`INSERT INTO catalog_entries (tag, display_name, description, substitution_level, substitutes, origin,
      updated_at, updated_by) VALUES (@tag, @display_name, @description, @substitution_level, @substitutes, @origin, @updated_at, @updated_by)
      ON CONFLICT (tag) DO UPDATE SET display_name = @display_name, description = @description, substitution_level = @substitution_level,
        substitutes = @substitutes, origin = @origin, updated_at = @updated_at, updated_by = @updated_by`);
    this.#revision = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    // A random value, not a count: a count reached inside a transaction that rolled back would be reached again by
    // the next write, and ladders cached under it inside that transaction would pass for current.
    this.#bump = db.prepare(`INSERT INTO settings (key, value) VALUES (@key, lower(hex(randomblob(8))))
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  }

  list(): CatalogEntry[] {
    return this.#all.all().map(toEntry);
  }

  find(tag: string): CatalogEntry | undefined {
    const row = this.#one.get(tag);
    return row ? toEntry(row) : undefined;
  }

  upsert(entry: CatalogEntry): void {
    this.#upsert.run({
      tag: entry.tag, display_name: entry.displayName, description: entry.description, substitution_level: entry.substitutionLevel,
      substitutes: JSON.stringify(entry.substitutes), origin: entry.origin, updated_at: entry.updatedAt, updated_by: entry.updatedBy,
    });
    this.#bump.run({ key: REVISION_KEY });
  }

  ladders(): SubstitutionLadders {
    const revision = this.#revision.get(REVISION_KEY)?.value ?? '0';
    if (this.#cached?.revision !== revision) this.#cached = { revision, ladders: new SubstitutionLadders(this.list()) };
    return this.#cached.ladders;
  }
}
