import type { Migration } from '../../migrations/migration-list.js';

/**
 * License reservations reported by satellites (DESIGN §9.2): each request carries all of them, so the rows of
 * a satellite are replaced as a whole; the seats per tag are what the upstream counts against its lines.
 */
export const upstreamSatelliteReservationsSchema: Migration = {
  version: 4,
  name: 'upstream: license reservations reported by satellites',
  sql: `
CREATE TABLE satellite_reservations (
  satellite_id TEXT NOT NULL REFERENCES registered_satellites(id),
  product_instance_id TEXT NOT NULL,
  account TEXT NOT NULL,
  virtual_account TEXT NOT NULL,
  -- The record as the satellite sent it (protocol/sync-entries.ts), JSON.
  record TEXT NOT NULL,
  reported_sequence INTEGER NOT NULL,
  reported_at INTEGER NOT NULL,
  PRIMARY KEY (satellite_id, product_instance_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE satellite_reserved_seats (
  satellite_id TEXT NOT NULL,
  product_instance_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  reserved INTEGER NOT NULL CHECK (reserved >= 0),
  PRIMARY KEY (satellite_id, product_instance_id, tag),
  FOREIGN KEY (satellite_id, product_instance_id) REFERENCES satellite_reservations(satellite_id, product_instance_id)
) STRICT, WITHOUT ROWID;
`,
};
