import type { Migration } from './migration-list.js';

/**
 * Refused imports leave a trace (DESIGN §5.3, issue 12 §3.6): sync_imports also holds REFUSED rows with the
 * refusal's reason code and the file's SHA-256 (kept for imported bundles too). A refusal may come before the
 * manifest is trusted, so bundle id and sequence may be null there, and the same bundle may be refused more than
 * once or imported after a refusal: only IMPORTED rows keep the bundle id unique. SQLite cannot change a CHECK
 * constraint in place, so the table is rebuilt; its rows are copied as they are. Nothing references it.
 */
export const syncImportRefusalsSchema: Migration = {
  version: 9,
  name: 'refused response imports in the import history',
  sql: `
CREATE TABLE sync_imports_v9 (
  id INTEGER PRIMARY KEY,
  bundle_id TEXT,
  sequence INTEGER,
  in_reply_to_sequence INTEGER,
  imported_at INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('IMPORTED', 'REFUSED')),
  reason TEXT,
  message TEXT,
  file_sha256 TEXT CHECK (file_sha256 IS NULL OR length(file_sha256) = 64),
  lines_added INTEGER NOT NULL CHECK (lines_added >= 0),
  lines_updated INTEGER NOT NULL CHECK (lines_updated >= 0),
  lines_ended INTEGER NOT NULL CHECK (lines_ended >= 0),
  virtual_accounts_created INTEGER NOT NULL CHECK (virtual_accounts_created >= 0),
  notices INTEGER NOT NULL CHECK (notices >= 0),
  acknowledged_sequence INTEGER,
  CHECK (result = 'REFUSED' OR (bundle_id IS NOT NULL AND sequence IS NOT NULL AND reason IS NULL)),
  CHECK (result = 'IMPORTED' OR reason IS NOT NULL)
) STRICT;
INSERT INTO sync_imports_v9 (id, bundle_id, sequence, in_reply_to_sequence, imported_at, actor_id, result, lines_added, lines_updated,
  lines_ended, virtual_accounts_created, notices, acknowledged_sequence)
  SELECT id, bundle_id, sequence, in_reply_to_sequence, imported_at, actor_id, result, lines_added, lines_updated, lines_ended,
    virtual_accounts_created, notices, acknowledged_sequence FROM sync_imports;
DROP TABLE sync_imports;
ALTER TABLE sync_imports_v9 RENAME TO sync_imports;
CREATE UNIQUE INDEX sync_imports_imported_bundle ON sync_imports (bundle_id) WHERE result = 'IMPORTED';
`,
};
