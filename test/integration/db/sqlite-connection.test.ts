import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import Database from 'better-sqlite3';
import { latestSchemaVersion, openDatabase, schemaVersion } from '../../../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { loadConfig } from '../../../server/config.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite connection', () => {
  it('creates a WAL database with foreign keys, STRICT tables and every migration applied', () => {
    const file = join(dir, 'fresh.db');
    const db = openDatabase({ filename: file });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    assert.equal(schemaVersion(db), latestSchemaVersion);
    // Ordinary tables only: FTS5's virtual table and the shadow tables it owns cannot be STRICT.
    const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{ name: string; strict: number }>;
    assert.ok(tables.length >= 10);
    for (const table of tables) assert.equal(table.strict, 1, `${table.name} is STRICT`);
    db.close();
    // An independent tool agrees the file is sound.
    assert.equal(execFileSync('sqlite3', [file, 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim(), 'ok');
  });

  it('creates the database, its WAL and SHM files 0600 (and missing folders 0700) wherever SATELLITE_DATABASE points', () => {
    const config = loadConfig({ SATELLITE_DATA_DIR: join(dir, 'data'), SATELLITE_DATABASE: join(dir, 'elsewhere', 'deep', 'books.db') });
    const previous = process.umask(0o022);
    try {
      const db = openDatabase({ filename: config.databaseFile });
      db.exec('CREATE TABLE probe (x INTEGER) STRICT; INSERT INTO probe VALUES (1);');
      const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
      assert.deepEqual(
        ['', '-wal', '-shm'].map((suffix) => mode(`${config.databaseFile}${suffix}`)),
        ['600', '600', '600'],
      );
      assert.equal(mode(join(dir, 'elsewhere', 'deep')), '700');
      db.close();
    } finally {
      process.umask(previous);
    }
  });

  it('reopens an existing database without re-running migrations', () => {
    const file = join(dir, 'reopen.db');
    openDatabase({ filename: file }).close();
    const db = openDatabase({ filename: file });
    assert.equal(schemaVersion(db), latestSchemaVersion);
    db.close();
  });

  it('refuses a database whose schema is newer than the code', () => {
    const file = join(dir, 'newer.db');
    openDatabase({ filename: file }).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${latestSchemaVersion + 1}`);
    raw.close();
    assert.throws(() => openDatabase({ filename: file }), (error: unknown) =>
      error instanceof DomainError && error.code === 'DATABASE_TOO_NEW' && /newer than this satellite/.test(error.message));
  });

  it('rolls back the whole unit of work when any step fails', () => {
    const db = openDatabase({ filename: ':memory:' });
    const uow = new SqliteUnitOfWork(db);
    assert.throws(() => uow.write((repos) => {
      repos.accounts.insertAccount({ id: 'a1', name: 'Acme', createdAt: 1 });
      repos.accounts.insertAccount({ id: 'a2', name: 'Acme', createdAt: 1 });
    }), /UNIQUE/);
    assert.equal(uow.read((repos) => repos.accounts.listAccounts()).length, 0);
    db.close();
  });

  it('enforces foreign keys and the STRICT column types', () => {
    const db = openDatabase({ filename: ':memory:' });
    assert.throws(() => db.prepare("INSERT INTO virtual_accounts (id, account_id, name, origin, created_at) VALUES ('v', 'missing', 'n', 'local', 1)").run(), /FOREIGN KEY/);
    assert.throws(() => db.prepare("INSERT INTO accounts (id, name, created_at) VALUES ('a', 'b', 'not a number')").run(), /cannot store TEXT value in INTEGER column/);
    db.close();
  });
});
