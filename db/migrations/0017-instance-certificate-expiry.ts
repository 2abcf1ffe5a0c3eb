import type { Migration } from './migration-list.js';

/**
 * The current ID certificate's expiry kept on the product instance row (issue 13 item 5). Every list row and
 * every CSV export row showed it through a lookup of id_certificates by serial: at 1M instances that lookup was
 * three quarters of an export's statement time (200,000 rows: 4.4–7.4 s with it, 1.0–1.4 s without, most of
 * it page faults into a table of a million certificates). A certificate's not_after never changes once issued,
 * so the copy only has to follow current_cert_serial; triggers do that whichever statement moves the serial.
 * An instance is always written before its certificates (id_certificates.instance_id is a foreign key), so a new
 * instance gets its copy from its certificate's INSERT, and a renewal or re-registration from the serial's UPDATE.
 * The backfill reads every instance's certificate once: at 1M instances this migration takes tens of seconds.
 */
export const instanceCertificateExpirySchema: Migration = {
  version: 17,
  name: 'current certificate expiry on the product instance row',
  sql: `
ALTER TABLE product_instances ADD COLUMN current_cert_not_after INTEGER;
UPDATE product_instances
  SET current_cert_not_after = (SELECT c.not_after FROM id_certificates c WHERE c.serial = product_instances.current_cert_serial)
  WHERE current_cert_serial IS NOT NULL;
CREATE TRIGGER product_instances_cert_expiry_update AFTER UPDATE OF current_cert_serial ON product_instances
  WHEN NEW.current_cert_serial IS NOT OLD.current_cert_serial BEGIN
  UPDATE product_instances SET current_cert_not_after = (SELECT c.not_after FROM id_certificates c WHERE c.serial = NEW.current_cert_serial)
    WHERE id = NEW.id;
END;
CREATE TRIGGER id_certificates_cert_expiry_insert AFTER INSERT ON id_certificates BEGIN
  UPDATE product_instances SET current_cert_not_after = NEW.not_after WHERE id = NEW.instance_id AND current_cert_serial = NEW.serial;
END;
`,
};
