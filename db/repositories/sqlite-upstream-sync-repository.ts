import { z } from 'zod';
import type { LicenseType } from '../../licensing/licenses/license-line.js';
import type {
  CatalogItem, ImportHistoryEntry, ImportRecord, RefusedImportRecord, StoredUpstreamLine, UpstreamSyncRepository,
} from '../../licensing/sync-import/upstream-snapshot.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface UpstreamLineRow {
  id: string; upstream_line_id: string; va_id: string; tag: string; display_name: string; description: string; quantity: number;
  license_type: string; starts_at: number; ends_at: number | null; upstream_revision: number | null; substitution_ladder: string;
}
interface ImportRow {
  bundle_id: string | null; sequence: number | null; in_reply_to_sequence: number | null; imported_at: number; actor_id: string;
  result: string; reason: string | null; message: string | null; file_sha256: string | null; lines_added: number; lines_updated: number;
  lines_ended: number; virtual_accounts_created: number; notices: number; acknowledged_sequence: number | null;
}

const ladderColumn = z.array(z.string());
const licenseType = (value: string): LicenseType => (value === 'TERM' || value === 'SUBSCRIPTION' ? value : 'PERPETUAL');

const lineParams = (line: StoredUpstreamLine) => ({
  id: line.id, upstream_line_id: line.upstreamLineId, va_id: line.virtualAccountId, tag: line.tag, display_name: line.displayName,
  description: line.description, quantity: line.quantity, license_type: line.licenseType, starts_at: line.startsAt, ends_at: line.endsAt,
  upstream_revision: line.revision, substitution_ladder: JSON.stringify(line.substitutionLadder),
});

export class SqliteUpstreamSyncRepository implements UpstreamSyncRepository {
  readonly #lines;
  readonly #insertLine;
  readonly #updateLine;
  readonly #followTransfers;
  readonly #applyCatalog;
  readonly #insertImport;
  readonly #insertRefusal;
  readonly #imports;

  constructor(db: SqliteDatabase) {
    this.#lines = db.prepare<[], UpstreamLineRow>(
      `SELECT id, upstream_line_id, va_id, tag, display_name, description, quantity, license_type, starts_at, ends_at, upstream_revision,
       substitution_ladder FROM license_lines WHERE origin = 'upstream' AND upstream_line_id IS NOT NULL ORDER BY rowid`,
    );
    this.#insertLine = db.prepare(`INSERT INTO license_lines (id, va_id, tag, display_name, description, quantity, license_type, starts_at,
      ends_at, origin, created_at, upstream_line_id, upstream_revision, substitution_ladder)
      VALUES (@id, @va_id, @tag, @display_name, @description, @quantity, @license_type, @starts_at, @ends_at, 'upstream', @created_at,
      @upstream_line_id, @upstream_revision, @substitution_ladder)`);
    this.#updateLine = db.prepare(`UPDATE license_lines SET va_id = @va_id, tag = @tag, display_name = @display_name,
      description = @description, quantity = @quantity, license_type = @license_type, starts_at = @starts_at, ends_at = @ends_at,
      upstream_revision = @upstream_revision, substitution_ladder = @substitution_ladder
      WHERE id = @id AND origin = 'upstream' AND upstream_line_id = @upstream_line_id`);
    // Transfer lines carry their source line's terms (docs/decisions.md), so they follow it; quantities stay theirs.
    this.#followTransfers = db.prepare(`UPDATE license_lines SET display_name = @display_name, description = @description,
      license_type = @license_type, starts_at = @starts_at, ends_at = @ends_at, substitution_ladder = @substitution_ladder
      WHERE origin = 'transfer' AND source_line_id = @id`);
    // Only the upstream's own lines in VAs the binding maps, and the transfer lines drawn from them (DESIGN §5.2):
    // local lines and other tenants' lines are never the catalog's. Names and descriptions are not touched at
    // all: every upstream line arrives with its own order-line text, and another VA's line must not rename it.
    this.#applyCatalog = db.prepare<[{ tag: string; substitution_ladder: string }], { va_id: string; tag: string }>(`UPDATE license_lines
      SET substitution_ladder = @substitution_ladder
      WHERE tag = @tag AND substitution_ladder <> @substitution_ladder AND (
        (origin = 'upstream' AND va_id IN (SELECT va_id FROM satellite_binding_virtual_accounts))
        OR (origin = 'transfer' AND source_line_id IN (SELECT id FROM license_lines WHERE origin = 'upstream' AND tag = @tag
          AND va_id IN (SELECT va_id FROM satellite_binding_virtual_accounts))))
      RETURNING va_id, tag`);
    this.#insertImport = db.prepare(`INSERT INTO sync_imports (bundle_id, sequence, in_reply_to_sequence, imported_at, actor_id, result,
      file_sha256, lines_added, lines_updated, lines_ended, virtual_accounts_created, notices, acknowledged_sequence)
      VALUES (@bundle_id, @sequence, @in_reply_to_sequence, @imported_at, @actor_id, 'IMPORTED', @file_sha256, @lines_added, @lines_updated,
      @lines_ended, @virtual_accounts_created, @notices, @acknowledged_sequence)`);
    this.#insertRefusal = db.prepare(`INSERT INTO sync_imports (bundle_id, sequence, imported_at, actor_id, result, reason, message, file_sha256,
      lines_added, lines_updated, lines_ended, virtual_accounts_created, notices)
      VALUES (@bundle_id, @sequence, @imported_at, @actor_id, 'REFUSED', @reason, @message, @file_sha256, 0, 0, 0, 0, 0)`);
    this.#imports = db.prepare<[number], ImportRow>('SELECT * FROM sync_imports ORDER BY id DESC LIMIT ?');
  }

  listUpstreamLines(): StoredUpstreamLine[] {
    return this.#lines.all().map((r) => ({
      id: r.id, upstreamLineId: r.upstream_line_id, virtualAccountId: r.va_id, tag: r.tag, displayName: r.display_name,
      description: r.description, quantity: r.quantity, licenseType: licenseType(r.license_type), startsAt: r.starts_at, endsAt: r.ends_at,
      revision: r.upstream_revision ?? 0, substitutionLadder: ladderColumn.parse(JSON.parse(r.substitution_ladder)),
    }));
  }

  insertUpstreamLine(line: StoredUpstreamLine, createdAt: number): void {
    this.#insertLine.run({ ...lineParams(line), created_at: createdAt });
  }

  updateUpstreamLine(line: StoredUpstreamLine): void {
    const changed = this.#updateLine.run(lineParams(line)).changes;
    // The plan came from this transaction's own read, so a miss is a bug; failing rolls the import back.
    if (changed !== 1) throw new Error(`upstream line ${line.upstreamLineId} (${line.id}) was not found for update`);
    this.#followTransfers.run({
      id: line.id, display_name: line.displayName, description: line.description, license_type: line.licenseType,
      starts_at: line.startsAt, ends_at: line.endsAt, substitution_ladder: JSON.stringify(line.substitutionLadder),
    });
  }

  applyCatalog(item: CatalogItem): Array<{ virtualAccountId: string; tag: string }> {
    const changed = this.#applyCatalog.all({ tag: item.tag, substitution_ladder: JSON.stringify(item.substitutionLadder) });
    return [...new Set(changed.map((r) => r.va_id))].map((virtualAccountId) => ({ virtualAccountId, tag: item.tag }));
  }

  insertImport(r: ImportRecord): void {
    this.#insertImport.run({
      bundle_id: r.bundleId, sequence: r.sequence, in_reply_to_sequence: r.inReplyToSequence, imported_at: r.importedAt, actor_id: r.actorId,
      file_sha256: r.fileSha256, lines_added: r.linesAdded, lines_updated: r.linesUpdated, lines_ended: r.linesEnded,
      virtual_accounts_created: r.virtualAccountsCreated, notices: r.notices, acknowledged_sequence: r.acknowledgedSequence,
    });
  }

  insertRefusal(r: RefusedImportRecord): void {
    this.#insertRefusal.run({
      bundle_id: r.bundleId, sequence: r.sequence, imported_at: r.importedAt, actor_id: r.actorId, reason: r.reason, message: r.message,
      file_sha256: r.fileSha256,
    });
  }

  listImports(limit: number): ImportHistoryEntry[] {
    return this.#imports.all(limit).map((r): ImportHistoryEntry => {
      if (r.result === 'REFUSED' || r.bundle_id === null || r.sequence === null) {
        return {
          result: 'REFUSED', bundleId: r.bundle_id, sequence: r.sequence, importedAt: r.imported_at, actorId: r.actor_id, reason: r.reason ?? 'UNKNOWN',
          message: r.message ?? '', fileSha256: r.file_sha256,
        };
      }
      return {
        bundleId: r.bundle_id, sequence: r.sequence, inReplyToSequence: r.in_reply_to_sequence, importedAt: r.imported_at, actorId: r.actor_id,
        result: 'IMPORTED', fileSha256: r.file_sha256, linesAdded: r.lines_added, linesUpdated: r.lines_updated, linesEnded: r.lines_ended,
        virtualAccountsCreated: r.virtual_accounts_created, notices: r.notices, acknowledgedSequence: r.acknowledged_sequence,
      };
    });
  }
}
