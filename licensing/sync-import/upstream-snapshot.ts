import type { LicenseTerms } from '../licenses/license-line.js';

/** One line of the upstream's full snapshot (protocol/sync-entries.ts licenseLineRecordSchema, in domain terms). */
export interface SnapshotLine extends LicenseTerms {
  upstreamLineId: string;
  account: string;
  virtualAccount: string;
  revision: number;
  /** The line's own ladder; null when the upstream sent none (the catalog's ladder for the tag applies then). */
  substitutionLadder: string[] | null;
}

export interface CatalogItem {
  tag: string;
  displayName: string;
  description: string;
  substitutionLadder: string[];
  /** The tier's level; absent from upstreams that predate it. */
  substitutionLevel?: number | null;
}

export interface UpstreamNotice {
  severity: 'Major' | 'Minor' | 'Informational';
  message: string;
}

export interface Acknowledgement {
  acknowledgedSequence: number;
  acknowledgedBundleId: string;
  credentialExpiresAt: number;
  /** The upstream's `instances_sequence` (SyncState.instancesSequence); null = it holds none; undefined = an older upstream. */
  instancesSequence?: number | null;
}

/** Everything a response bundle carries, read and validated in full before the transaction starts. */
export interface UpstreamResponse {
  bundleId: string;
  sequence: number;
  inReplyToSequence: number | null;
  upstreamId: string;
  lines: SnapshotLine[];
  catalog: CatalogItem[];
  acknowledgements: Acknowledgement[];
  notices: UpstreamNotice[];
}

/** An upstream-origin line as stored locally, keyed by the upstream's id. */
export interface StoredUpstreamLine extends LicenseTerms {
  id: string;
  upstreamLineId: string;
  virtualAccountId: string;
  revision: number;
  substitutionLadder: string[];
}

export interface ImportRecord {
  bundleId: string;
  sequence: number;
  inReplyToSequence: number | null;
  importedAt: number;
  actorId: string;
  result: 'IMPORTED';
  /** SHA-256 (hex) of the bundle file as imported. */
  fileSha256: string | null;
  linesAdded: number;
  linesUpdated: number;
  linesEnded: number;
  virtualAccountsCreated: number;
  notices: number;
  acknowledgedSequence: number | null;
}

/** A response bundle the import path refused: the history keeps it, nothing else changed. */
export interface RefusedImportRecord {
  result: 'REFUSED';
  /** Known only once the manifest verified against the pinned key; null for refusals before that. */
  bundleId: string | null;
  sequence: number | null;
  importedAt: number;
  actorId: string;
  /** The stable reason code (docs/sync-format.md). */
  reason: string;
  message: string;
  fileSha256: string | null;
}

export type ImportHistoryEntry = ImportRecord | RefusedImportRecord;

/** Upstream lines, the catalog and the import history (db/repositories/sqlite-upstream-sync-repository.ts). */
export interface UpstreamSyncRepository {
  listUpstreamLines(): StoredUpstreamLine[];
  insertUpstreamLine(line: StoredUpstreamLine, createdAt: number): void;
  /** Rewrites the terms of an upstream line in place, and of the transfer lines drawn from it (docs/decisions.md). */
  updateUpstreamLine(line: StoredUpstreamLine): void;
  /**
   * The catalog's substitution ladder onto the upstream lines of bound VAs with that tag (and the transfer lines
   * drawn from them); names and descriptions stay the lines' own. Returns the (va, tag) pools whose lines changed.
   */
  applyCatalog(item: CatalogItem): Array<{ virtualAccountId: string; tag: string }>;
  insertImport(record: ImportRecord): void;
  insertRefusal(record: RefusedImportRecord): void;
  /** Newest first, refusals included. */
  listImports(limit: number): ImportHistoryEntry[];
}
