import type { Migration } from './migration-list.js';

/**
 * What a device's signed request needs, kept where its first read finds it, and change stamps so the write
 * transaction can confirm that read instead of repeating it (issue 13 item 2; docs/performance.md).
 * - The current ID certificate's key, algorithm and revocation time join its expiry (0017) on the instance row, so
 *   the credential check reads no certificate row: at 1M instances that lookup (a random index page and a random
 *   table page, usually not cached) was a sixth of an AUTHORIZE's reads. Triggers keep the copy whichever statement
 *   moves the serial or writes the certificate; 0017's two triggers are replaced by ones that copy every column.
 * - `product_instances.revision` grows with every UPDATE of the row (a trigger adds one when the statement did
 *   not; the device path's own updates add it themselves, so the trigger's body does not run for them) and with
 *   every UPDATE or DELETE of one of its ID certificates (a revocation). An unchanged revision and replay counter
 *   (instance_replay.messages_answered, which every saved answer increments) mean the row, its certificates and
 *   its replay record are as the first read saw them; reading all three again cost about 50 µs per AUTHORIZE.
 * - `settings['license_lines.revision']` changes with every write of license_lines, to a random value, so a
 *   per-connection cache of a pool's lines (sqlite-license-repository.ts) can tell it is current with one lookup;
 *   random rather than counted, so a value seen inside a transaction that rolled back is never reused.
 * The backfill rewrites every instance row once: at 1M instances this migration takes tens of seconds.
 */
export const deviceConfirmationStampsSchema: Migration = {
  version: 18,
  name: 'current certificate key on the instance row; change stamps for instances and license lines',
  sql: `
ALTER TABLE product_instances ADD COLUMN current_cert_key_algorithm TEXT;
ALTER TABLE product_instances ADD COLUMN current_cert_public_key_der BLOB;
ALTER TABLE product_instances ADD COLUMN current_cert_revoked_at INTEGER;
ALTER TABLE product_instances ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
UPDATE product_instances
  SET (current_cert_key_algorithm, current_cert_public_key_der, current_cert_revoked_at) =
    (SELECT c.key_algorithm, c.public_key_der, c.revoked_at FROM id_certificates c WHERE c.serial = product_instances.current_cert_serial)
  WHERE current_cert_serial IS NOT NULL;
DROP TRIGGER product_instances_cert_expiry_update;
DROP TRIGGER id_certificates_cert_expiry_insert;
CREATE TRIGGER product_instances_current_cert AFTER UPDATE OF current_cert_serial ON product_instances
  WHEN NEW.current_cert_serial IS NOT OLD.current_cert_serial BEGIN
  UPDATE product_instances
    SET (current_cert_not_after, current_cert_key_algorithm, current_cert_public_key_der, current_cert_revoked_at) =
      (SELECT c.not_after, c.key_algorithm, c.public_key_der, c.revoked_at FROM id_certificates c WHERE c.serial = NEW.current_cert_serial)
    WHERE id = NEW.id;
END;
CREATE TRIGGER id_certificates_current_cert_insert AFTER INSERT ON id_certificates BEGIN
  UPDATE product_instances SET current_cert_not_after = NEW.not_after, current_cert_key_algorithm = NEW.key_algorithm,
      current_cert_public_key_der = NEW.public_key_der, current_cert_revoked_at = NEW.revoked_at
    WHERE id = NEW.instance_id AND current_cert_serial = NEW.serial;
END;
CREATE TRIGGER product_instances_revision AFTER UPDATE ON product_instances WHEN NEW.revision = OLD.revision BEGIN
  UPDATE product_instances SET revision = OLD.revision + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER id_certificates_revision_update AFTER UPDATE ON id_certificates BEGIN
  UPDATE product_instances SET revision = revision + 1,
      current_cert_not_after = iif(current_cert_serial = NEW.serial, NEW.not_after, current_cert_not_after),
      current_cert_key_algorithm = iif(current_cert_serial = NEW.serial, NEW.key_algorithm, current_cert_key_algorithm),
      current_cert_public_key_der = iif(current_cert_serial = NEW.serial, NEW.public_key_der, current_cert_public_key_der),
      current_cert_revoked_at = iif(current_cert_serial = NEW.serial, NEW.revoked_at, current_cert_revoked_at)
    WHERE id IN (OLD.instance_id, NEW.instance_id);
END;
CREATE TRIGGER id_certificates_revision_delete AFTER DELETE ON id_certificates BEGIN
  UPDATE product_instances SET revision = revision + 1,
      current_cert_not_after = iif(current_cert_serial = OLD.serial, NULL, current_cert_not_after),
      current_cert_key_algorithm = iif(current_cert_serial = OLD.serial, NULL, current_cert_key_algorithm),
      current_cert_public_key_der = iif(current_cert_serial = OLD.serial, NULL, current_cert_public_key_der),
      current_cert_revoked_at = iif(current_cert_serial = OLD.serial, NULL, current_cert_revoked_at)
    WHERE id = OLD.instance_id;
END;
INSERT INTO settings (key, value) VALUES ('license_lines.revision', lower(hex(randomblob(8))))
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;
CREATE TRIGGER license_lines_revision_insert AFTER INSERT ON license_lines BEGIN
  UPDATE settings SET value = lower(hex(randomblob(8))) WHERE key = 'license_lines.revision';
END;
CREATE TRIGGER license_lines_revision_update AFTER UPDATE ON license_lines BEGIN
  UPDATE settings SET value = lower(hex(randomblob(8))) WHERE key = 'license_lines.revision';
END;
CREATE TRIGGER license_lines_revision_delete AFTER DELETE ON license_lines BEGIN
  UPDATE settings SET value = lower(hex(randomblob(8))) WHERE key = 'license_lines.revision';
END;
`,
};
