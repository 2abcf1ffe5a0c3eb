import type { Migration } from './migration-list.js';

/**
 * The satellite's binding to its upstream (DESIGN §3, §5.4) and the sync engine's progress (§5.3).
 * Both are single rows (id = 1): a satellite has one upstream. The bound virtual accounts reference the
 * local VA by id, so renaming the local account keeps the mapping, and carry the upstream's names, which are
 * how response bundles address them.
 */
export const syncBindingSchema: Migration = {
  version: 4,
  name: 'satellite binding to the upstream and sync state',
  sql: `
CREATE TABLE satellite_binding (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  satellite_id TEXT NOT NULL,
  satellite_name TEXT NOT NULL,
  upstream_id TEXT NOT NULL,
  upstream_url TEXT,
  -- The pinned key: response bundles must verify against it (docs/sync-format.md, import order step 1).
  upstream_public_key_pem TEXT NOT NULL,
  upstream_key_fingerprint TEXT NOT NULL CHECK (length(upstream_key_fingerprint) = 64),
  mode TEXT NOT NULL CHECK (mode IN ('connected', 'disconnected')),
  -- The mapping exactly as the registration file stated it, JSON [{ account, virtualAccounts }].
  accounts TEXT NOT NULL,
  credential_expires_at INTEGER NOT NULL,
  registration_issued_at INTEGER NOT NULL,
  bound_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE satellite_binding_virtual_accounts (
  va_id TEXT PRIMARY KEY REFERENCES virtual_accounts(id),
  upstream_account TEXT NOT NULL,
  upstream_virtual_account TEXT NOT NULL,
  UNIQUE (upstream_account, upstream_virtual_account)
) STRICT;

CREATE TABLE sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_attempt_at INTEGER,
  last_success_at INTEGER,
  last_error_at INTEGER,
  last_error TEXT,
  next_run_at INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  -- The last request sequence this satellite used, and the last one the upstream acknowledged.
  request_sequence INTEGER NOT NULL DEFAULT 0 CHECK (request_sequence >= 0),
  acknowledged_sequence INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged_sequence >= 0),
  -- The last response sequence accepted: anything not above it is a replay, unless it is that very bundle.
  upstream_sequence INTEGER NOT NULL DEFAULT 0 CHECK (upstream_sequence >= 0),
  last_upstream_bundle_id TEXT,
  CHECK (acknowledged_sequence <= request_sequence)
) STRICT;
`,
};
