import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../db/sqlite-connection.js';
import { migrations } from '../../../db/migrations/migration-list.js';
import { seedScaleInventory } from '../../../db/sqlite-scale-seeder.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';
import type { LicenseLine } from '../../../licensing/licenses/license-line.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-stamps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 11, 4);
const DAY = 86_400_000;

/** Instances whose copy of the current certificate (key, algorithm, expiry, revocation) differs from the certificate. */
function disagreeing(db: SqliteDatabase): number {
  return (db.prepare(`SELECT count(*) AS n FROM product_instances pi LEFT JOIN id_certificates c ON c.serial = pi.current_cert_serial
    WHERE pi.current_cert_not_after IS NOT c.not_after OR pi.current_cert_key_algorithm IS NOT c.key_algorithm
      OR pi.current_cert_public_key_der IS NOT c.public_key_der OR pi.current_cert_revoked_at IS NOT c.revoked_at`).get() as { n: number }).n;
}

function revisionOf(db: SqliteDatabase, id: string): number {
  return (db.prepare('SELECT revision FROM product_instances WHERE id = ?').get(id) as { revision: number }).revision;
}

function anyInstance(db: SqliteDatabase, prefix: string): { id: string; serial: string } {
  return db.prepare(`SELECT id, current_cert_serial AS serial FROM product_instances
    WHERE udi_serial_number LIKE ? AND registration_state = 'REGISTERED' LIMIT 1`).get(`${prefix}%`) as { id: string; serial: string };
}

function upgraded(name: string): SqliteDatabase {
  const file = join(dir, name);
  const before = openDatabase({ filename: file, migrations: migrations.filter((m) => m.version <= 17) });
  before.exec(`INSERT INTO accounts (id, name, created_at) VALUES ('a1', 'Acme', 0);
    INSERT INTO virtual_accounts (id, account_id, name, description, origin, created_at) VALUES ('va1', 'a1', 'Lab', '', 'local', 0);`);
  seedScaleInventory(before, { virtualAccountIds: ['va1'], instances: 40, now: NOW, tags: ['t'] });
  before.close();
  return openDatabase({ filename: file });
}

const line = (id: string, quantity: number): LicenseLine => ({
  id, virtualAccountId: 'va1', tag: 't', displayName: 'T', description: '', quantity, licenseType: 'PERPETUAL',
  startsAt: NOW - DAY, endsAt: null, substitutionLadder: [], substitutionLevel: null, origin: 'local', createdAt: NOW,
});

describe('migration 0018: the current certificate\'s key on the instance row, and change stamps', () => {
  it('backfills the copy of every current certificate and keeps it in step with every certificate write', () => {
    const db = upgraded('copy.db');
    try {
      assert.equal(db.pragma('user_version', { simple: true }), migrations.at(-1)?.version);
      assert.equal(disagreeing(db), 0, 'the backfill copied each current certificate');
      seedScaleInventory(db, { virtualAccountIds: ['va1'], instances: 30, now: NOW, tags: ['t'], prefix: 'b' });
      assert.equal(disagreeing(db), 0, 'rows written after the migration carry the copy too');

      const { id, serial } = anyInstance(db, 'BFOC');
      db.prepare(`INSERT INTO id_certificates (serial, instance_id, key_algorithm, public_key_der, pem, not_before, not_after, issued_at)
        VALUES ('renewed-1', ?, 'RS256', x'0102', '', ?, ?, ?)`).run(id, NOW, NOW + 400 * DAY, NOW);
      assert.equal(disagreeing(db), 0, 'a certificate that is not current changes no copy');
      db.prepare("UPDATE product_instances SET current_cert_serial = 'renewed-1' WHERE id = ?").run(id);
      db.prepare('UPDATE id_certificates SET revoked_at = ? WHERE serial = ?').run(NOW, serial);
      assert.equal(disagreeing(db), 0, 'a renewal moves the copy to the new certificate');
      db.prepare("UPDATE id_certificates SET revoked_at = ? WHERE serial = 'renewed-1'").run(NOW + 1);
      assert.equal(disagreeing(db), 0, 'revoking the current certificate is copied');
      db.prepare("DELETE FROM id_certificates WHERE serial = 'renewed-1'").run();
      const row = db.prepare('SELECT current_cert_public_key_der AS k, current_cert_revoked_at AS r FROM product_instances WHERE id = ?').get(id);
      assert.deepEqual(row, { k: null, r: null }, 'a deleted current certificate leaves no copy behind');
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });

  it('counts every write of an instance and every revocation of its certificates in its revision, once each', () => {
    const db = upgraded('revision.db');
    try {
      const { id, serial } = anyInstance(db, 'SFOC');
      assert.equal(revisionOf(db, id), 0);
      db.prepare("UPDATE product_instances SET hostname = 'moved' WHERE id = ?").run(id);
      assert.equal(revisionOf(db, id), 1, 'an update that does not count itself is counted by the trigger');
      const uow = new SqliteUnitOfWork(db);
      uow.write((repos) => repos.instances.touch(id, NOW));
      assert.equal(revisionOf(db, id), 2, 'the device path counts its own update, and the trigger adds nothing');
      uow.write((repos) => {
        const instance = repos.instances.findById(id);
        assert.ok(instance);
        repos.instances.recordAuthorization({ ...instance, lastContactAt: NOW + 1 });
      });
      assert.equal(revisionOf(db, id), 3);
      uow.write((repos) => repos.certificates.revoke(serial, NOW));
      assert.equal(revisionOf(db, id), 4, 'a revocation of its certificate counts for the instance');
      assert.deepEqual(uow.read((repos) => repos.instances.stampOf(id)), { revision: 4, messagesAnswered: null }, 'no message answered yet');
      const replay = {
        instanceId: id, messageId: 'm1', requestDigest: 'd1', response: '{}', answeredAt: NOW, nonces: [{ timestamp: NOW, nonce: 'n1' }],
        nonceWatermark: 0, messagesAnswered: 1,
      };
      uow.write((repos) => repos.deviceMessages.saveInstanceReplay(replay));
      uow.write((repos) => repos.deviceMessages.saveInstanceReplay({ ...replay, messageId: 'm2', messagesAnswered: 2 }));
      assert.deepEqual(uow.read((repos) => repos.instances.stampOf(id)), { revision: 4, messagesAnswered: 2 }, 'each answer counts in the record');
      assert.equal(uow.read((repos) => repos.instances.stampOf('no-such-instance')), undefined);
      const read = uow.read((repos) => repos.instances.findById(id));
      assert.equal(read?.revision, 4);
      assert.equal(read?.currentCertificate?.revokedAt, NOW, 'the device path sees the revocation in the row it reads');
    } finally {
      db.close();
    }
  });

  it('counts every write of an instance\'s entitlements in its revision, once each (migration 0019)', () => {
    const db = upgraded('entitlements.db');
    try {
      const { id } = anyInstance(db, 'SFOC');
      const other = { id: db.prepare("SELECT id FROM product_instances WHERE registration_state = 'REGISTERED' AND id <> ? LIMIT 1").pluck().get(id) as string };
      const start = revisionOf(db, id);
      db.prepare(`INSERT INTO instance_entitlements (instance_id, tag, requested, authorized, status, updated_at)
        VALUES (?, 'extra', 2, 2, 'AUTHORIZED', ?)`).run(id, NOW);
      assert.equal(revisionOf(db, id), start + 1, 'an entitlement added');
      db.prepare("UPDATE instance_entitlements SET status = 'OUT_OF_COMPLIANCE', authorized = 0 WHERE instance_id = ? AND tag = 'extra'").run(id);
      assert.equal(revisionOf(db, id), start + 2, 'an entitlement\'s answer changed');
      const otherStart = revisionOf(db, other.id);
      db.prepare("UPDATE instance_entitlements SET instance_id = ? WHERE instance_id = ? AND tag = 'extra'").run(other.id, id);
      assert.deepEqual([revisionOf(db, id), revisionOf(db, other.id)], [start + 3, otherStart + 1], 'moved: both instances counted');
      db.prepare("DELETE FROM instance_entitlements WHERE instance_id = ? AND tag = 'extra'").run(other.id);
      assert.equal(revisionOf(db, other.id), otherStart + 2, 'an entitlement removed');
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });

  it('keeps each pool\'s lines per connection, current after every write, another connection\'s and a rolled-back one', () => {
    const db = upgraded('lines.db');
    const other = openDatabase({ filename: join(dir, 'lines.db') });
    try {
      const uow = new SqliteUnitOfWork(db);
      const lines = (): number[] => uow.read((repos) => repos.licenses.listLinesForTag('va1', 't').map((l) => l.quantity));
      const before = lines();
      uow.write((repos) => repos.licenses.insertLine(line('l-new', 7)));
      assert.equal(lines().length, before.length + 1, 'the new line is read');
      assert.ok(lines().includes(7));
      // Another process's write (the CLI) is seen at the next read.
      new SqliteUnitOfWork(other).write((repos) => repos.licenses.updateLocalLine({ ...line('l-new', 9) }));
      assert.ok(lines().includes(9) && !lines().includes(7), JSON.stringify(lines()));
      // Lines read inside a transaction that rolls back are not served afterwards, even after another write.
      assert.throws(() => uow.write((repos) => {
        repos.licenses.insertLine(line('l-gone', 1000));
        assert.ok(repos.licenses.listLinesForTag('va1', 't').some((l) => l.quantity === 1000));
        throw new Error('roll back');
      }), /roll back/);
      assert.ok(!lines().includes(1000), 'the rolled-back line is gone');
      uow.write((repos) => repos.licenses.insertLine(line('l-kept', 5)));
      assert.ok(lines().includes(5) && !lines().includes(1000), JSON.stringify(lines()));
      // What callers get is theirs to sort; the lines themselves are shared and frozen.
      const got = uow.read((repos) => repos.licenses.listLinesForTag('va1', 't'));
      got.reverse();
      assert.notDeepEqual(got.map((l) => l.quantity), lines());
      assert.ok(Object.isFrozen(got[0]));
    } finally {
      other.close();
      db.close();
    }
  });
});
