import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { migrations } from '../../../db/migrations/migration-list.js';
import { latestSchemaVersion, openDatabase, schemaVersion } from '../../../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-migration-0011-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 0011: reservations', () => {
  it('upgrades a version-5 database: accounts keep reservation off, instances become devices', () => {
    const file = join(dir, 'v5.db');
    const old = new Database(file);
    for (const migration of migrations.filter((m) => m.version <= 5)) {
      old.exec(migration.sql);
      old.pragma(`user_version = ${migration.version}`);
    }
    old.exec(`INSERT INTO accounts VALUES ('a1', 'Acme', 1);
      INSERT INTO virtual_accounts VALUES ('va1', 'a1', 'Lab', '', 'local', 1);
      INSERT INTO product_instances (id, va_id, udi_pid, udi_serial_number, product_tag, export_control_allowed, registration_state,
        authorization_state, registered_at, last_contact_at) VALUES ('pi1', 'va1', 'C9300', 'FCW1', 't', 1, 'REGISTERED', 'AUTHORIZED', 1, 1);`);
    old.close();

    const db = openDatabase({ filename: file });
    try {
      assert.equal(schemaVersion(db), latestSchemaVersion);
      const uow = new SqliteUnitOfWork(db);
      assert.equal(uow.read((r) => r.reservations.reservationEnabled('a1')), false);
      assert.equal(uow.read((r) => r.instances.findById('pi1')?.kind), 'DEVICE');
      assert.throws(() => db.exec(`UPDATE product_instances SET kind = 'OTHER'`), /CHECK constraint failed/);
    } finally {
      db.close();
    }
    // Reopening applies nothing twice and refuses nothing: the version is the newest one, gaps or not.
    openDatabase({ filename: file }).close();
  });
});
