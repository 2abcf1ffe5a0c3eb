import type { Migration } from '../../migrations/migration-list.js';

/**
 * What satellites report in their request bundles (DESIGN §5.2): product instances (the latest state of
 * each, removed ones kept and marked) and usage per VA and tag (the latest request's rows only).
 */
export const upstreamSatelliteReportsSchema: Migration = {
  version: 2,
  name: 'upstream: product instances and usage reported by satellites',
  sql: `
CREATE TABLE satellite_product_instances (
  satellite_id TEXT NOT NULL REFERENCES registered_satellites(id),
  product_instance_id TEXT NOT NULL,
  account TEXT NOT NULL,
  virtual_account TEXT NOT NULL,
  removed INTEGER NOT NULL CHECK (removed IN (0, 1)),
  -- The record as the satellite sent it (protocol/sync-entries.ts), JSON.
  record TEXT NOT NULL,
  reported_sequence INTEGER NOT NULL,
  reported_at INTEGER NOT NULL,
  PRIMARY KEY (satellite_id, product_instance_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE satellite_usage (
  satellite_id TEXT NOT NULL REFERENCES registered_satellites(id),
  account TEXT NOT NULL,
  virtual_account TEXT NOT NULL,
  tag TEXT NOT NULL,
  authorized INTEGER NOT NULL,
  requested INTEGER NOT NULL,
  reserved INTEGER NOT NULL,
  peak INTEGER NOT NULL,
  reported_sequence INTEGER NOT NULL,
  reported_at INTEGER NOT NULL,
  PRIMARY KEY (satellite_id, account, virtual_account, tag)
) STRICT, WITHOUT ROWID;
`,
};
