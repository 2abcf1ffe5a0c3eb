import type { Migration } from './migration-list.js';

/**
 * License reservation (DESIGN §9). A reservation is a product instance of kind RESERVED (no certificate,
 * no AUTHORIZE; UNREGISTERED, so the same UDI can still register as a device) plus the codes and counts
 * below. `quantity` is what the confirmed (or first) code grants; `pending_quantity` what an update in
 * transit grants: until it is confirmed pool_usage.reserved holds the larger of the two. The UDI is unique:
 * one reservation per device.
 */
export const reservationsSchema: Migration = {
  version: 11,
  name: 'license reservations (SLR and PLR) and the account reservation flag',
  sql: `
ALTER TABLE accounts ADD COLUMN reservation_enabled INTEGER NOT NULL DEFAULT 0 CHECK (reservation_enabled IN (0, 1));
ALTER TABLE product_instances ADD COLUMN kind TEXT NOT NULL DEFAULT 'DEVICE' CHECK (kind IN ('DEVICE', 'RESERVED'));

CREATE TABLE reservations (
  instance_id TEXT PRIMARY KEY REFERENCES product_instances(id),
  va_id TEXT NOT NULL REFERENCES virtual_accounts(id),
  udi_pid TEXT NOT NULL,
  udi_serial_number TEXT NOT NULL,
  request_code TEXT NOT NULL,
  reservation_type TEXT NOT NULL CHECK (reservation_type IN ('SPECIFIC', 'UNIVERSAL')),
  status TEXT NOT NULL CHECK (status IN ('RESERVED', 'IN_TRANSIT')),
  authorization_code TEXT NOT NULL,
  pending_authorization_code TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  confirmed_at INTEGER,
  in_transit_since INTEGER,
  created_by TEXT NOT NULL,
  CHECK ((status = 'IN_TRANSIT') = (pending_authorization_code IS NOT NULL)),
  UNIQUE (udi_pid, udi_serial_number)
) STRICT;
CREATE INDEX reservations_by_va ON reservations (va_id);

CREATE TABLE reservation_licenses (
  instance_id TEXT NOT NULL REFERENCES reservations(instance_id),
  tag TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  pending_quantity INTEGER CHECK (pending_quantity IS NULL OR pending_quantity >= 0),
  PRIMARY KEY (instance_id, tag)
) STRICT, WITHOUT ROWID;
`,
};
