import type { LicenseTerms } from '../licenses/license-line.js';

/** One line of the upstream's full snapshot (protocol/sync-entries.ts licenseLineRecordSchema, in domain terms). */
export interface SnapshotLine extends LicenseTerms {
  upstreamLineId: string;
  account: string;
  virtualAccount: string;
  revision: number;
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
}

export interface ImportRecord {
  bundleId: string;
  sequence: number;
  inReplyToSequence: number | null;
  importedAt: number;
  actorId: string;
  result: 'IMPORTED';
  linesAdded: number;
  linesUpdated: number;
  linesEnded: number;
  virtualAccountsCreated: number;
  notices: number;
  acknowledgedSequence: number | null;
}

/** Upstream lines, the catalog and the import history (db/repositories/sqlite-upstream-sync-repository.ts). */
export interface UpstreamSyncRepository {
  listUpstreamLines(): StoredUpstreamLine[];
  insertUpstreamLine(line: StoredUpstreamLine, createdAt: number): void;
  /** Rewrites the terms of an upstream line in place, and of the transfer lines drawn from it (docs/decisions.md). */
  updateUpstreamLine(line: StoredUpstreamLine): void;
  /** Names, descriptions and ladders of every line of a tag; returns the (va, tag) pools touched. */
  applyCatalog(item: CatalogItem): Array<{ virtualAccountId: string; tag: string }>;
  insertImport(record: ImportRecord): void;
  /** Newest first. */
  listImports(limit: number): ImportRecord[];
}
