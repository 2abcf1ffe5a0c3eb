import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrations } from '../../../db/migrations/migration-list.js';
import { latestSchemaVersion, openDatabase, schemaVersion } from '../../../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-migration-6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 0006: the licensing engine', () => {
  it('rebuilds product_instances (new states) keeping rows and references, counts INVALID_TAG seats, moves ladders to the catalog', () => {
    const file = join(dir, 'v5.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (const migration of migrations.filter((m) => m.version <= 5)) {
      old.exec(migration.sql);
      old.pragma(`user_version = ${migration.version}`);
    }
    old.exec(`INSERT INTO accounts VALUES ('a1', 'Acme', 1);
      INSERT INTO virtual_accounts VALUES ('va1', 'a1', 'Lab', '', 'local', 1);
      INSERT INTO license_lines (id, va_id, tag, display_name, description, quantity, license_type, starts_at, ends_at,
        substitution_ladder, substitution_level, origin, created_at) VALUES ('l1', 'va1', 'HIGH', 'High', '', 5, 'PERPETUAL', 1, NULL, '["LOW"]', 3, 'upstream', 1);
      INSERT INTO product_instances VALUES ('p1', 'va1', 'PID', 'SN1', NULL, NULL, 'tag', 'h', NULL, NULL, 1, 'REGISTERED', 'OUT_OF_COMPLIANCE',
        1, 2, 2, 99, 5, 'c1');
      INSERT INTO id_certificates VALUES ('c1', 'p1', 'ES256', x'00', 'pem', 1, 1000, 1, NULL);
      INSERT INTO instance_entitlements VALUES ('p1', 'HIGH', 7, 0, 'OUT_OF_COMPLIANCE', 2), ('p1', 'UNKNOWN', 2, 0, 'INVALID_TAG', 2);
      INSERT INTO pool_usage VALUES ('va1', 'HIGH', 0, 7, 1);`);
    old.close();

    const db = openDatabase({ filename: file });
    assert.equal(schemaVersion(db), latestSchemaVersion);
    const uow = new SqliteUnitOfWork(db);
    const instance = uow.read((r) => r.instances.findById('p1'));
    assert.deepEqual([instance?.authorizationState, instance?.shortReportStreak, instance?.currentCertificateSerial], ['OUT_OF_COMPLIANCE', 5, 'c1']);
    assert.deepEqual(uow.read((r) => r.licenses.listUsage('va1')), [
      { tag: 'HIGH', authorized: 0, requested: 7, reserved: 1 },
      { tag: 'UNKNOWN', authorized: 0, requested: 2, reserved: 0 },
    ], 'INVALID_TAG seats now count; reserved is kept');
    assert.deepEqual(uow.read((r) => r.catalog.list()).map((e) => [e.tag, e.substitutionLevel, e.substitutes, e.origin]), [['HIGH', 3, ['LOW'], 'upstream']]);
    db.exec(`UPDATE product_instances SET authorization_state = 'REGISTRATION_EXPIRED' WHERE id = 'p1'`);
    assert.throws(() => db.exec(`UPDATE product_instances SET authorization_state = 'NONSENSE' WHERE id = 'p1'`), /CHECK constraint failed/);
    assert.throws(() => db.exec(`INSERT INTO instance_entitlements VALUES ('ghost', 'T', 1, 0, 'AUTHORIZED', 1)`), /FOREIGN KEY constraint failed/,
      'foreign keys are on again and still point at product_instances');
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });
});
