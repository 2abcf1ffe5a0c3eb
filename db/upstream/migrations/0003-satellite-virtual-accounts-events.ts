import type { Migration } from '../../migrations/migration-list.js';

/**
 * The rest of what a request reports (DESIGN §5.2): the satellite's locally created VAs in bound accounts and
 * its event summary (counts per type since its last acknowledged request). Like usage, both hold the latest
 * accepted request's rows only: a VA deleted on the satellite disappears here at its next sync.
 */
export const upstreamSatelliteVirtualAccountsEventsSchema: Migration = {
  version: 3,
  name: 'upstream: local virtual accounts and event summaries reported by satellites',
  sql: `
CREATE TABLE satellite_virtual_accounts (
  satellite_id TEXT NOT NULL REFERENCES registered_satellites(id),
  account TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  reported_sequence INTEGER NOT NULL,
  reported_at INTEGER NOT NULL,
  PRIMARY KEY (satellite_id, account, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE satellite_event_counts (
  satellite_id TEXT NOT NULL REFERENCES registered_satellites(id),
  type TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  reported_sequence INTEGER NOT NULL,
  reported_at INTEGER NOT NULL,
  PRIMARY KEY (satellite_id, type)
) STRICT, WITHOUT ROWID;
`,
};
