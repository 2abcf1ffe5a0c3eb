import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrations } from '../../../db/migrations/migration-list.js';
import { latestSchemaVersion, openDatabase, schemaVersion } from '../../../db/sqlite-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-migration-0009-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 0009: refused imports in the history', () => {
  it('keeps every imported row, accepts REFUSED rows without a bundle id, and keeps imported bundle ids unique', () => {
    const file = join(dir, 'v5.db');
    const old = new Database(file);
    for (const migration of migrations.filter((m) => m.version <= 5)) {
      old.exec(migration.sql);
      old.pragma(`user_version = ${migration.version}`);
    }
    old.exec(`INSERT INTO sync_imports (bundle_id, sequence, in_reply_to_sequence, imported_at, actor_id, result, lines_added, lines_updated,
      lines_ended, virtual_accounts_created, notices, acknowledged_sequence) VALUES ('b1', 1, 1, 10, 'cli', 'IMPORTED', 2, 0, 0, 1, 0, 1)`);
    old.close();

    const db = openDatabase({ filename: file });
    assert.equal(schemaVersion(db), latestSchemaVersion);
    assert.deepEqual(db.prepare('SELECT bundle_id, sequence, result, reason, file_sha256, lines_added FROM sync_imports').all(),
      [{ bundle_id: 'b1', sequence: 1, result: 'IMPORTED', reason: null, file_sha256: null, lines_added: 2 }]);
    const refuse = db.prepare(`INSERT INTO sync_imports (bundle_id, sequence, imported_at, actor_id, result, reason, message, file_sha256,
      lines_added, lines_updated, lines_ended, virtual_accounts_created, notices) VALUES (?, NULL, 20, 'cli', 'REFUSED', ?, 'm', ?, 0, 0, 0, 0, 0)`);
    refuse.run(null, 'BAD_SIGNATURE', 'a'.repeat(64));
    refuse.run('b1', 'STALE_SEQUENCE', 'b'.repeat(64));
    assert.throws(() => refuse.run(null, null, 'c'.repeat(64)), /CHECK constraint failed/, 'a refusal names its reason');
    assert.throws(() => db.exec(`INSERT INTO sync_imports (bundle_id, sequence, imported_at, actor_id, result, lines_added, lines_updated,
      lines_ended, virtual_accounts_created, notices) VALUES ('b1', 2, 30, 'cli', 'IMPORTED', 0, 0, 0, 0, 0)`), /UNIQUE constraint failed/);
    db.close();
  });
});
