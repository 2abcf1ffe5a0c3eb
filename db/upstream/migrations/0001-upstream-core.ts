import type { Migration } from '../../migrations/migration-list.js';

/**
 * The reference upstream's own database (DESIGN §5.4): smart accounts, virtual accounts, purchased order
 * lines and the satellites it serves. A separate file from the satellite's, with its own numbering.
 */
export const upstreamCoreSchema: Migration = {
  version: 1,
  name: 'upstream: smart accounts, order lines, registered satellites',
  sql: `
CREATE TABLE upstream_accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE upstream_virtual_accounts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES upstream_accounts(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, name)
) STRICT;

-- Keyed by the orders file's own line id, so a reload updates a line instead of adding another. A line the
-- file stops listing gets ended_at and stays: satellites reconcile it, nothing is revoked and reissued.
CREATE TABLE order_lines (
  order_line_id TEXT PRIMARY KEY,
  va_id TEXT NOT NULL REFERENCES upstream_virtual_accounts(id),
  tag TEXT NOT NULL,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  license_type TEXT NOT NULL CHECK (license_type IN ('PERPETUAL', 'TERM', 'SUBSCRIPTION')),
  starts_at INTEGER NOT NULL,
  ends_at INTEGER,
  substitution_ladder TEXT NOT NULL DEFAULT '[]',
  substitution_level INTEGER,
  loaded_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 1),
  ended_at INTEGER,
  CHECK (ends_at IS NULL OR ends_at > starts_at)
) STRICT;
CREATE INDEX order_lines_by_va ON order_lines (va_id, tag);

CREATE TABLE registered_satellites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- The account mapping as issued, JSON [{ account, virtualAccounts }].
  accounts TEXT NOT NULL,
  registered_at INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  credential_expires_at INTEGER NOT NULL,
  last_sync_at INTEGER,
  retired_at INTEGER,
  satellite_public_key_pem TEXT,
  request_sequence INTEGER NOT NULL DEFAULT 0 CHECK (request_sequence >= 0),
  response_sequence INTEGER NOT NULL DEFAULT 0 CHECK (response_sequence >= 0)
) STRICT;
CREATE INDEX registered_satellites_active ON registered_satellites (id) WHERE retired_at IS NULL;
`,
};
