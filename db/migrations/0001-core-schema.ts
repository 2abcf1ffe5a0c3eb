import type { Migration } from './migration-list.js';

export const coreSchema: Migration = {
  version: 1,
  name: 'core schema: accounts, licenses, tokens, product instances, certificates, events, alerts',
  sql: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE virtual_accounts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  origin TEXT NOT NULL CHECK (origin IN ('local', 'upstream')),
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, name)
) STRICT;

CREATE TABLE license_lines (
  id TEXT PRIMARY KEY,
  va_id TEXT NOT NULL REFERENCES virtual_accounts(id),
  tag TEXT NOT NULL,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  license_type TEXT NOT NULL CHECK (license_type IN ('PERPETUAL', 'TERM', 'SUBSCRIPTION')),
  starts_at INTEGER NOT NULL,
  ends_at INTEGER,
  substitution_ladder TEXT NOT NULL DEFAULT '[]',
  substitution_level INTEGER,
  origin TEXT NOT NULL CHECK (origin IN ('local', 'upstream')),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX license_lines_by_va_tag ON license_lines (va_id, tag);

-- Usage counters per pool, kept in step with instance_entitlements inside the same transaction so that
-- an AUTHORIZE reads one row instead of summing every product instance of the VA.
CREATE TABLE pool_usage (
  va_id TEXT NOT NULL REFERENCES virtual_accounts(id),
  tag TEXT NOT NULL,
  authorized INTEGER NOT NULL DEFAULT 0 CHECK (authorized >= 0),
  requested INTEGER NOT NULL DEFAULT 0 CHECK (requested >= 0),
  reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  PRIMARY KEY (va_id, tag)
) STRICT, WITHOUT ROWID;

CREATE TABLE registration_tokens (
  id TEXT PRIMARY KEY,
  va_id TEXT NOT NULL REFERENCES virtual_accounts(id),
  secret_digest TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  max_uses INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
  uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
  export_controlled_allowed INTEGER NOT NULL CHECK (export_controlled_allowed IN (0, 1)),
  revoked_at INTEGER,
  created_by TEXT NOT NULL,
  CHECK (max_uses IS NULL OR uses <= max_uses)
) STRICT;
CREATE INDEX registration_tokens_by_va ON registration_tokens (va_id);

CREATE TABLE product_instances (
  id TEXT PRIMARY KEY,
  va_id TEXT NOT NULL REFERENCES virtual_accounts(id),
  udi_pid TEXT NOT NULL,
  udi_serial_number TEXT NOT NULL,
  udi_vid TEXT,
  host_identifier TEXT,
  product_tag TEXT NOT NULL,
  hostname TEXT,
  ip_address TEXT,
  token_id TEXT REFERENCES registration_tokens(id),
  export_control_allowed INTEGER NOT NULL CHECK (export_control_allowed IN (0, 1)),
  registration_state TEXT NOT NULL CHECK (registration_state IN ('REGISTERED', 'UNREGISTERED')),
  authorization_state TEXT NOT NULL
    CHECK (authorization_state IN ('NOT_AUTHORIZED', 'AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE')),
  registered_at INTEGER NOT NULL,
  last_contact_at INTEGER NOT NULL,
  authorized_at INTEGER,
  authorization_expires_at INTEGER,
  short_report_streak INTEGER NOT NULL DEFAULT 0,
  current_cert_serial TEXT
) STRICT;
-- One registered instance per UDI; deregistered rows stay for history.
CREATE UNIQUE INDEX product_instances_registered_udi
  ON product_instances (udi_pid, udi_serial_number) WHERE registration_state = 'REGISTERED';
CREATE INDEX product_instances_by_va ON product_instances (va_id);

CREATE TABLE instance_entitlements (
  instance_id TEXT NOT NULL REFERENCES product_instances(id),
  tag TEXT NOT NULL,
  requested INTEGER NOT NULL CHECK (requested >= 0),
  authorized INTEGER NOT NULL CHECK (authorized >= 0),
  status TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (instance_id, tag)
) STRICT, WITHOUT ROWID;

CREATE TABLE id_certificates (
  serial TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL REFERENCES product_instances(id),
  key_algorithm TEXT NOT NULL CHECK (key_algorithm IN ('ES256', 'RS256')),
  public_key_der BLOB NOT NULL,
  pem TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX id_certificates_by_instance ON id_certificates (instance_id);

CREATE TABLE device_messages (
  message_id TEXT PRIMARY KEY,
  request_digest TEXT NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX device_messages_by_time ON device_messages (created_at);

CREATE TABLE device_nonces (
  scope TEXT NOT NULL,
  nonce TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (scope, nonce)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_nonces_by_time ON device_nonces (seen_at);

CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  occurred_at INTEGER NOT NULL,
  account_id TEXT,
  va_id TEXT,
  actor_type TEXT NOT NULL CHECK (actor_type IN ('user', 'device', 'system', 'upstream')),
  actor_id TEXT,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX events_by_time ON events (occurred_at);
CREATE INDEX events_by_account ON events (account_id, occurred_at);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  severity TEXT NOT NULL CHECK (severity IN ('Major', 'Minor', 'Informational')),
  message_type TEXT NOT NULL,
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  message TEXT NOT NULL,
  account_id TEXT,
  va_id TEXT,
  raised_at INTEGER NOT NULL,
  cleared_at INTEGER
) STRICT;
CREATE UNIQUE INDEX alerts_active ON alerts (message_type, target) WHERE cleared_at IS NULL;
`,
};
