import type { Migration } from './migration-list.js';

/**
 * Substring search and product-type filters at a million instances (issue 13 item 5, docs/performance.md
 * "Search and filters at 1M"):
 * - product_instance_search: an FTS5 trigram index over hostname, IP address, UDI serial number and UDI PID,
 *   with product_instances as its external content (only the index is stored: ~300 MB at 1M). A substring of
 *   3 or more characters is a phrase query of its trigrams; shorter ones cannot use it and walk the list.
 *   detail=full: with positions the phrase is exact, so candidates need no re-check against the rows.
 * - product_kinds: every (product tag, PID) pair the inventory has held, a few dozen rows in a real fleet. A
 *   product-type filter (a substring of either) finds its PIDs here and the instances through the PID index.
 *   Pairs are never removed: a stale pair only makes the filter look up a PID that no instance has any more.
 * - product_instances_by_pid gains the VA and registration columns, so a PID or product-type count stops at
 *   its cap reading index entries only (SQLite reads a row only for a column the index lacks; the product
 *   tag is checked after the PID, so a type that matches the PID needs no row): 10,001 random row reads took
 *   1–5 s at 1M. AUTHORIZE writes none of these columns.
 * Triggers keep both in step with product_instances. AUTHORIZE never writes these columns (its UPDATE names
 * none of them), so the device path pays nothing; a REGISTER pays one FTS insert. The UPDATE trigger fires
 * only when a searched column really changes (the full-row update writes all columns).
 * The index refers to product_instances' rowids: a migration that rebuilds that table must rebuild this index
 * ('rebuild'), and nothing may VACUUM the database (which renumbers rowids of a table without INTEGER PRIMARY KEY).
 */
export const instanceSearchSchema: Migration = {
  version: 15,
  name: 'trigram search over product instances and their product kinds',
  sql: `
CREATE VIRTUAL TABLE product_instance_search USING fts5(
  hostname, ip_address, udi_serial_number, udi_pid,
  content='product_instances', content_rowid='rowid', tokenize='trigram', detail=full
);
INSERT INTO product_instance_search (product_instance_search) VALUES ('rebuild');

DROP INDEX product_instances_by_pid;
CREATE INDEX product_instances_by_pid ON product_instances (udi_pid COLLATE NOCASE, va_id, registration_state, kind);

CREATE TABLE product_kinds (
  product_tag TEXT NOT NULL,
  udi_pid TEXT NOT NULL,
  PRIMARY KEY (product_tag, udi_pid)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO product_kinds (product_tag, udi_pid) SELECT DISTINCT product_tag, udi_pid FROM product_instances;

CREATE TRIGGER product_instances_search_insert AFTER INSERT ON product_instances BEGIN
  INSERT INTO product_instance_search (rowid, hostname, ip_address, udi_serial_number, udi_pid)
    VALUES (new.rowid, new.hostname, new.ip_address, new.udi_serial_number, new.udi_pid);
  INSERT OR IGNORE INTO product_kinds (product_tag, udi_pid) VALUES (new.product_tag, new.udi_pid);
END;
CREATE TRIGGER product_instances_search_delete AFTER DELETE ON product_instances BEGIN
  INSERT INTO product_instance_search (product_instance_search, rowid, hostname, ip_address, udi_serial_number, udi_pid)
    VALUES ('delete', old.rowid, old.hostname, old.ip_address, old.udi_serial_number, old.udi_pid);
END;
CREATE TRIGGER product_instances_search_update AFTER UPDATE OF hostname, ip_address, udi_serial_number, udi_pid, product_tag
  ON product_instances
  WHEN old.hostname IS NOT new.hostname OR old.ip_address IS NOT new.ip_address
    OR old.udi_serial_number IS NOT new.udi_serial_number OR old.udi_pid IS NOT new.udi_pid OR old.product_tag IS NOT new.product_tag
BEGIN
  INSERT INTO product_instance_search (product_instance_search, rowid, hostname, ip_address, udi_serial_number, udi_pid)
    VALUES ('delete', old.rowid, old.hostname, old.ip_address, old.udi_serial_number, old.udi_pid);
  INSERT INTO product_instance_search (rowid, hostname, ip_address, udi_serial_number, udi_pid)
    VALUES (new.rowid, new.hostname, new.ip_address, new.udi_serial_number, new.udi_pid);
  INSERT OR IGNORE INTO product_kinds (product_tag, udi_pid) VALUES (new.product_tag, new.udi_pid);
END;
`,
};
