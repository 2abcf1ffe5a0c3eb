import type { Migration } from './migration-list.js';

/**
 * License transfers between virtual accounts of one account (docs/decisions.md, "License transfers").
 * A transfer is recorded once in license_transfers and materialised as a pair of 'transfer' lines: a
 * negative one in the source VA and a positive one in the destination, both carrying the terms (type,
 * start, end, names) of the line they were drawn from. Pools stay "sum of active lines", so the device
 * path needs no change, and upstream lines are never edited.
 *
 * license_lines is rebuilt because SQLite cannot change a CHECK in place: quantities may now be negative
 * for transfer lines only. Nothing references license_lines, so dropping the old table is safe with
 * foreign keys on.
 */
export const licenseTransfersSchema: Migration = {
  version: 3,
  name: 'license transfers between virtual accounts',
  sql: `
-- No foreign keys to the virtual accounts: a transfer is history and outlives a deleted (empty) VA.
CREATE TABLE license_transfers (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  from_va_id TEXT NOT NULL,
  to_va_id TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  CHECK (from_va_id <> to_va_id)
) STRICT;
CREATE INDEX license_transfers_by_account ON license_transfers (account_id, created_at);

CREATE TABLE license_lines_v3 (
  id TEXT PRIMARY KEY,
  va_id TEXT NOT NULL REFERENCES virtual_accounts(id),
  tag TEXT NOT NULL,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  quantity INTEGER NOT NULL,
  license_type TEXT NOT NULL CHECK (license_type IN ('PERPETUAL', 'TERM', 'SUBSCRIPTION')),
  starts_at INTEGER NOT NULL,
  ends_at INTEGER,
  substitution_ladder TEXT NOT NULL DEFAULT '[]',
  substitution_level INTEGER,
  origin TEXT NOT NULL CHECK (origin IN ('local', 'upstream', 'transfer')),
  created_at INTEGER NOT NULL,
  transfer_id TEXT REFERENCES license_transfers(id),
  -- The local or upstream line whose terms a transfer line carries; no foreign key, the copy keeps the terms.
  source_line_id TEXT,
  CHECK (origin = 'transfer' OR quantity >= 0),
  CHECK ((origin = 'transfer') = (transfer_id IS NOT NULL AND source_line_id IS NOT NULL))
) STRICT;
INSERT INTO license_lines_v3 (id, va_id, tag, display_name, description, quantity, license_type, starts_at, ends_at,
  substitution_ladder, substitution_level, origin, created_at, transfer_id, source_line_id)
  SELECT id, va_id, tag, display_name, description, quantity, license_type, starts_at, ends_at,
    substitution_ladder, substitution_level, origin, created_at, NULL, NULL FROM license_lines;
DROP TABLE license_lines;
ALTER TABLE license_lines_v3 RENAME TO license_lines;
CREATE INDEX license_lines_by_va_tag ON license_lines (va_id, tag);
CREATE INDEX license_lines_by_source ON license_lines (source_line_id) WHERE source_line_id IS NOT NULL;
`,
};
