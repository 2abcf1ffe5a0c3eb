import type { Migration } from './migration-list.js';

/**
 * An instance's entitlements join its change stamp (0018): every INSERT, UPDATE or DELETE of an
 * instance_entitlements row adds one to its instance's `revision`, so a stamp that did not move since the read
 * before the signature check also means the entitlements are as that read saw them. The device read worker reads
 * them with the stamp, and an unchanged AUTHORIZE report then takes them from that read instead of reading them
 * again inside the write transaction, on the event loop (issue 13; docs/performance.md). The statement that bumps
 * the revision changes it itself, so 0018's catch-all revision trigger does not add a second one. Triggers only:
 * nothing is rewritten (the upgrade's foreign-key check still reads the file: 8.8 s on the bench's 1M database).
 */
export const entitlementStampsSchema: Migration = {
  version: 19,
  name: 'entitlement writes move their instance change stamp',
  sql: `
CREATE TRIGGER instance_entitlements_revision_insert AFTER INSERT ON instance_entitlements BEGIN
  UPDATE product_instances SET revision = revision + 1 WHERE id = NEW.instance_id;
END;
CREATE TRIGGER instance_entitlements_revision_update AFTER UPDATE ON instance_entitlements BEGIN
  UPDATE product_instances SET revision = revision + 1 WHERE id IN (OLD.instance_id, NEW.instance_id);
END;
CREATE TRIGGER instance_entitlements_revision_delete AFTER DELETE ON instance_entitlements BEGIN
  UPDATE product_instances SET revision = revision + 1 WHERE id = OLD.instance_id;
END;
`,
};
