import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../db/sqlite-connection.js';
import { migrations } from '../../../db/migrations/migration-list.js';
import { seedScaleInventory } from '../../../db/sqlite-scale-seeder.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-cert-expiry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 11, 3);
const DAY = 86_400_000;

/** Instances whose copy of the current certificate's expiry differs from the certificate's own. */
function disagreeing(db: SqliteDatabase): number {
  return (db.prepare(`SELECT count(*) AS n FROM product_instances pi LEFT JOIN id_certificates c ON c.serial = pi.current_cert_serial
    WHERE pi.current_cert_not_after IS NOT c.not_after`).get() as { n: number }).n;
}

function expiryOf(db: SqliteDatabase, id: string): number | null {
  return (db.prepare('SELECT current_cert_not_after AS t FROM product_instances WHERE id = ?').get(id) as { t: number | null }).t;
}

function certificate(db: SqliteDatabase, serial: string, instanceId: string, notAfter: number): void {
  db.prepare(`INSERT INTO id_certificates (serial, instance_id, key_algorithm, public_key_der, pem, not_before, not_after, issued_at)
    VALUES (?, ?, 'ES256', x'00', '', ?, ?, ?)`).run(serial, instanceId, NOW, notAfter, NOW);
}

describe('migration 0017: the current certificate\'s expiry on the instance row', () => {
  it('backfills every instance of a database made before it, and keeps the copy in step afterwards', () => {
    const file = join(dir, 'upgrade.db');
    const before = openDatabase({ filename: file, migrations: migrations.filter((m) => m.version <= 16) });
    before.exec(`INSERT INTO accounts (id, name, created_at) VALUES ('a1', 'Acme', 0);
      INSERT INTO virtual_accounts (id, account_id, name, description, origin, created_at) VALUES ('va1', 'a1', 'Lab', '', 'local', 0);`);
    seedScaleInventory(before, { virtualAccountIds: ['va1'], instances: 40, now: NOW, tags: ['t'] });
    before.close();

    // As 0017 shipped; 0018 replaces its triggers by ones copying more columns (device-confirmation-stamps.test.ts).
    const db = openDatabase({ filename: file, migrations: migrations.filter((m) => m.version <= 17) });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), 17);
      assert.equal(disagreeing(db), 0, 'the backfill copied each current certificate\'s not_after');
      assert.equal((db.prepare('SELECT count(*) AS n FROM product_instances WHERE current_cert_not_after IS NULL').get() as { n: number }).n, 0);

      // Written after the migration, instance first and its certificate after (the order of a registration).
      seedScaleInventory(db, { virtualAccountIds: ['va1'], instances: 30, now: NOW, tags: ['t'], prefix: 'b' });
      assert.equal(disagreeing(db), 0, 'rows written after the migration carry the copy too');

      const id = (db.prepare("SELECT id FROM product_instances WHERE udi_serial_number LIKE 'BFOC%' LIMIT 1").get() as { id: string }).id;
      // A renewal: the new certificate first, then the instance moves to it.
      certificate(db, 'renewed-1', id, NOW + 400 * DAY);
      assert.notEqual(expiryOf(db, id), NOW + 400 * DAY, 'a certificate that is not current changes nothing');
      db.prepare("UPDATE product_instances SET current_cert_serial = 'renewed-1' WHERE id = ?").run(id);
      assert.equal(expiryOf(db, id), NOW + 400 * DAY);
      // Statements that leave the serial alone leave the copy alone.
      db.prepare("UPDATE product_instances SET hostname = 'moved', current_cert_serial = 'renewed-1' WHERE id = ?").run(id);
      assert.equal(expiryOf(db, id), NOW + 400 * DAY);
      // Deregistration clears the current certificate, and with it the copy.
      db.prepare('UPDATE product_instances SET current_cert_serial = NULL WHERE id = ?').run(id);
      assert.equal(expiryOf(db, id), null);
      // An instance pointed at a certificate that already exists gets it at once.
      db.prepare("UPDATE product_instances SET current_cert_serial = 'renewed-1' WHERE id = ?").run(id);
      assert.equal(expiryOf(db, id), NOW + 400 * DAY);
      assert.equal(disagreeing(db), 0);
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });
});
