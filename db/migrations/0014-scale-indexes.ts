import type { Migration } from './migration-list.js';

/**
 * Indexes for a million product instances (issue 13, docs/performance.md "Admin and sweeps at 1M"):
 * - the inventory lists sort by last contact within a VA, with the id as tie-break (keyset pagination); the
 *   state columns ride along so filters and capped counts are checked in the index without reading rows. It
 *   replaces product_instances_by_va, whose lookups it still serves. Account-wide lists merge their VAs.
 * - search is a case-insensitive prefix of serial number, hostname or PID: NOCASE indexes make it a range.
 *   AUTHORIZE never writes these columns, so they cost nothing on the device path.
 * - the sweeps read their candidates through indexes where AUTHORIZE does not pay for it: certificates by
 *   not_after among the unrevoked (a superseded or retired certificate is revoked, so the range holds current
 *   ones only) and instances in an alerting state (healthy instances are outside that partial index).
 *   Renewal and authorization-expiry candidates are read in rowid chunks instead: an index on authorized_at
 *   or authorization_expires_at would be rewritten by every AUTHORIZE (measured: ~30 µs CPU each at 1M).
 * - licenseTag filters find the instances of a tag through instance_entitlements (tag); a license's detail
 *   lists its largest consumers through (tag, requested DESC) — rewritten when a report changes a count (the
 *   full AUTHORIZE path), not by the steady-state path, which writes only updated_at; an instance's detail
 *   finds its active alerts by target.
 * The VA index holds last_contact_at, so every AUTHORIZE rewrites one entry of it (~40 µs CPU at 1M, measured
 * with scripts/bench/authorize-write-cost.ts).
 */
export const scaleIndexesSchema: Migration = {
  version: 14,
  name: 'indexes for admin queries and sweeps at a million instances',
  sql: `
DROP INDEX product_instances_by_va;
CREATE INDEX product_instances_by_va_contact
  ON product_instances (va_id, last_contact_at, id, registration_state, kind, authorization_state);
CREATE INDEX product_instances_by_serial ON product_instances (udi_serial_number COLLATE NOCASE);
CREATE INDEX product_instances_by_hostname ON product_instances (hostname COLLATE NOCASE);
CREATE INDEX product_instances_by_pid ON product_instances (udi_pid COLLATE NOCASE);
CREATE INDEX product_instances_alerting_states ON product_instances (authorization_state)
  WHERE registration_state = 'REGISTERED' AND authorization_state IN ('OUT_OF_COMPLIANCE', 'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED');
CREATE INDEX id_certificates_unrevoked_by_expiry ON id_certificates (not_after) WHERE revoked_at IS NULL;
CREATE INDEX instance_entitlements_by_tag ON instance_entitlements (tag);
CREATE INDEX instance_entitlements_top_consumers ON instance_entitlements (tag, requested DESC, instance_id) WHERE requested > 0;
CREATE INDEX alerts_active_by_target ON alerts (target) WHERE cleared_at IS NULL;
`,
};
