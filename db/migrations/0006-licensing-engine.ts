import type { Migration } from './migration-list.js';

/**
 * The licensing engine of DESIGN §8 (docs/licensing.md):
 * - product_instances gains the inventory states AUTHORIZATION_EXPIRED and REGISTRATION_EXPIRED. SQLite cannot
 *   change a CHECK in place, so the table is rebuilt (the runner turns foreign keys off around migrations and
 *   checks them before committing).
 * - pool_usage.requested now counts every reported seat, INVALID_TAG included (usage is trusted, then
 *   verified), so it is recomputed from the entitlements of registered instances. reserved is left as it is.
 * - catalog_entries: the satellite-wide catalog (names and substitution ladders), local or from the upstream.
 * - pool_usage_days: the usage history, one row per VA, tag and UTC day, kept two years.
 */
export const licensingEngineSchema: Migration = {
  version: 6,
  name: 'licensing engine: inventory states, trusted usage, catalog, usage history',
  sql: `
CREATE TABLE product_instances_v6 (
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
    CHECK (authorization_state IN ('NOT_AUTHORIZED', 'AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NO_LICENSES_IN_USE',
      'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED')),
  registered_at INTEGER NOT NULL,
  last_contact_at INTEGER NOT NULL,
  authorized_at INTEGER,
  authorization_expires_at INTEGER,
  short_report_streak INTEGER NOT NULL DEFAULT 0,
  current_cert_serial TEXT
) STRICT;
INSERT INTO product_instances_v6 SELECT id, va_id, udi_pid, udi_serial_number, udi_vid, host_identifier, product_tag, hostname,
  ip_address, token_id, export_control_allowed, registration_state, authorization_state, registered_at, last_contact_at,
  authorized_at, authorization_expires_at, short_report_streak, current_cert_serial FROM product_instances;
DROP TABLE product_instances;
ALTER TABLE product_instances_v6 RENAME TO product_instances;
CREATE UNIQUE INDEX product_instances_registered_udi
  ON product_instances (udi_pid, udi_serial_number) WHERE registration_state = 'REGISTERED';
CREATE INDEX product_instances_by_va ON product_instances (va_id);

INSERT INTO pool_usage (va_id, tag, authorized, requested, reserved)
  SELECT DISTINCT pi.va_id, e.tag, 0, 0, 0 FROM instance_entitlements e JOIN product_instances pi ON pi.id = e.instance_id
  WHERE pi.registration_state = 'REGISTERED'
  ON CONFLICT (va_id, tag) DO NOTHING;
UPDATE pool_usage SET
  requested = COALESCE((SELECT SUM(e.requested) FROM instance_entitlements e JOIN product_instances pi ON pi.id = e.instance_id
    WHERE pi.registration_state = 'REGISTERED' AND pi.va_id = pool_usage.va_id AND e.tag = pool_usage.tag), 0),
  authorized = COALESCE((SELECT SUM(e.authorized) FROM instance_entitlements e JOIN product_instances pi ON pi.id = e.instance_id
    WHERE pi.registration_state = 'REGISTERED' AND pi.va_id = pool_usage.va_id AND e.tag = pool_usage.tag), 0);

-- substitutes: JSON array of the lower tags this tier may stand in for. origin 'upstream' entries are
-- replaced at every import; 'local' ones are edited through the catalog API and CLI.
CREATE TABLE catalog_entries (
  tag TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  substitution_level INTEGER CHECK (substitution_level IS NULL OR substitution_level >= 0),
  substitutes TEXT NOT NULL DEFAULT '[]',
  origin TEXT NOT NULL CHECK (origin IN ('local', 'upstream')),
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;
-- Ladders that earlier imports wrote onto the lines become catalog entries.
INSERT INTO catalog_entries (tag, display_name, description, substitution_level, substitutes, origin, updated_at, updated_by)
  SELECT l.tag, l.display_name, l.description, l.substitution_level, l.substitution_ladder, 'upstream', l.created_at, 'migration'
  FROM license_lines l
  WHERE l.substitution_ladder <> '[]' AND l.rowid = (SELECT MAX(m.rowid) FROM license_lines m WHERE m.tag = l.tag AND m.substitution_ladder <> '[]');

-- day: UTC midnight (epoch ms). peak_in_use is the highest in use seen that day; purchased the latest; balance
-- the lowest (after substitution). No foreign key: history outlives a deleted virtual account.
CREATE TABLE pool_usage_days (
  va_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  day INTEGER NOT NULL,
  peak_in_use INTEGER NOT NULL CHECK (peak_in_use >= 0),
  purchased INTEGER NOT NULL,
  balance INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (va_id, tag, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX pool_usage_days_by_day ON pool_usage_days (day);
`,
};
