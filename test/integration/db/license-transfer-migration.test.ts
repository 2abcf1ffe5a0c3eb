import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrations } from '../../../db/migrations/migration-list.js';
import { latestSchemaVersion, openDatabase, schemaVersion } from '../../../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 0003: license transfers', () => {
  it('rebuilds license_lines keeping every existing line, and still refuses negative non-transfer lines', () => {
    const file = join(dir, 'v2.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (const migration of migrations.filter((m) => m.version <= 2)) {
      old.exec(migration.sql);
      old.pragma(`user_version = ${migration.version}`);
    }
    old.exec(`INSERT INTO accounts VALUES ('a1', 'Acme', 1);
      INSERT INTO virtual_accounts VALUES ('va1', 'a1', 'Lab', '', 'local', 1);
      INSERT INTO license_lines (id, va_id, tag, display_name, description, quantity, license_type, starts_at, ends_at,
        substitution_ladder, substitution_level, origin, created_at)
        VALUES ('l1', 'va1', 'T', 'Thing', 'd', 7, 'TERM', 1, 99, '["X"]', 2, 'upstream', 1);`);
    old.close();

    const db = openDatabase({ filename: file });
    assert.equal(schemaVersion(db), latestSchemaVersion);
    const uow = new SqliteUnitOfWork(db);
    assert.deepEqual(uow.read((r) => r.licenses.listLines('va1')), [{
      id: 'l1', virtualAccountId: 'va1', tag: 'T', displayName: 'Thing', description: 'd', quantity: 7, licenseType: 'TERM',
      startsAt: 1, endsAt: 99, substitutionLadder: ['X'], substitutionLevel: 2, origin: 'upstream', createdAt: 1,
    }]);
    assert.throws(() => db.exec(`INSERT INTO license_lines (id, va_id, tag, display_name, quantity, license_type, starts_at, origin, created_at)
      VALUES ('bad', 'va1', 'T', 'Thing', -1, 'PERPETUAL', 1, 'local', 1)`), /CHECK constraint failed/);
    assert.throws(() => db.exec(`INSERT INTO license_lines (id, va_id, tag, display_name, quantity, license_type, starts_at, origin, created_at)
      VALUES ('orphan', 'va1', 'T', 'Thing', -1, 'PERPETUAL', 1, 'transfer', 1)`), /CHECK constraint failed/);
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });
});
