import type { Migration } from './migration-list.js';

/**
 * Response imports (DESIGN §5.2, §5.3). Upstream lines are reconciled by the upstream's own line id, so a
 * snapshot updates a row in place instead of revoking and reissuing it: a line keeps its local id, which
 * transfer lines reference as their source. The revision is the upstream's, stored to report what changed.
 * sync_imports is the import history; refusals are not recorded here because a refused import writes nothing.
 */
export const upstreamLineSyncSchema: Migration = {
  version: 5,
  name: 'upstream line ids and the response import history',
  sql: `
ALTER TABLE license_lines ADD COLUMN upstream_line_id TEXT;
ALTER TABLE license_lines ADD COLUMN upstream_revision INTEGER;
CREATE UNIQUE INDEX license_lines_by_upstream_id ON license_lines (upstream_line_id) WHERE upstream_line_id IS NOT NULL;

CREATE TABLE sync_imports (
  id INTEGER PRIMARY KEY,
  bundle_id TEXT NOT NULL UNIQUE,
  sequence INTEGER NOT NULL,
  in_reply_to_sequence INTEGER,
  imported_at INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('IMPORTED')),
  lines_added INTEGER NOT NULL CHECK (lines_added >= 0),
  lines_updated INTEGER NOT NULL CHECK (lines_updated >= 0),
  lines_ended INTEGER NOT NULL CHECK (lines_ended >= 0),
  virtual_accounts_created INTEGER NOT NULL CHECK (virtual_accounts_created >= 0),
  notices INTEGER NOT NULL CHECK (notices >= 0),
  acknowledged_sequence INTEGER
) STRICT;
`,
};
