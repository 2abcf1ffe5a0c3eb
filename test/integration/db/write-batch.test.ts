import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';
import type { Repositories } from '../../../licensing/shared/unit-of-work.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function open(name: string): { db: SqliteDatabase; uow: SqliteUnitOfWork; file: string } {
  const file = join(dir, name);
  const db = openDatabase({ filename: file });
  return { db, uow: new SqliteUnitOfWork(db), file };
}

/** One device request's writes: its nonce, then its stored response, like the handler's unit of work. */
function unit(id: string, nonce: string) {
  return (repos: Repositories): string => {
    if (!repos.deviceMessages.rememberNonce('scope', nonce, 1)) throw new Error(`nonce ${nonce} replayed`);
    repos.deviceMessages.saveResponse({ messageId: id, requestDigest: 'd', response: `answer ${id}`, createdAt: 1 });
    return id;
  };
}

function count(db: SqliteDatabase, sql: string): number {
  const row = db.prepare(sql).get() as { n: number } | undefined;
  return row?.n ?? 0;
}

describe('SqliteUnitOfWork.writeBatch', () => {
  it('commits the units that succeed and rolls back each failed unit to its own savepoint', () => {
    const { db, uow } = open('isolation.db');
    const outcomes = uow.writeBatch([
      unit('m1', 'n1'),
      // Writes its nonce, then fails on the duplicate message id: the nonce must go too.
      unit('m1', 'n2'),
      unit('m3', 'n3'),
      // Fails at once on a nonce m1 used earlier in the same transaction.
      unit('m4', 'n1'),
      unit('m5', 'n5'),
    ]);
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true, false, true]);
    assert.deepEqual(outcomes.filter((o) => o.ok).map((o) => (o.ok ? o.value : null)), ['m1', 'm3', 'm5']);
    const failure = outcomes[3];
    assert.ok(failure && !failure.ok && failure.error instanceof Error && /n1 replayed/.test(failure.error.message));
    assert.deepEqual(db.prepare('SELECT message_id FROM device_messages ORDER BY message_id').pluck().all(), ['m1', 'm3', 'm5']);
    assert.deepEqual(db.prepare('SELECT nonce FROM device_nonces ORDER BY nonce').pluck().all(), ['n1', 'n3', 'n5']);
    assert.equal(db.prepare('SELECT response FROM device_messages WHERE message_id = ?').pluck().get('m1'), 'answer m1');
    assert.equal(db.inTransaction, false);
    db.close();
  });

  it('is durable once it returns: another connection sees every committed unit', () => {
    const { db, uow, file } = open('visible.db');
    const reader = openDatabase({ filename: file });
    const during: number[] = [];
    uow.writeBatch([
      unit('a', 'na'),
      // Runs inside the open transaction: the other connection must not see 'a' yet.
      () => {
        during.push(count(reader, 'SELECT COUNT(*) AS n FROM device_messages'));
        return 'probe';
      },
      unit('b', 'nb'),
    ]);
    assert.deepEqual(during, [0]);
    assert.equal(count(reader, 'SELECT COUNT(*) AS n FROM device_messages'), 2);
    reader.close();
    db.close();
  });

  it('throws and commits nothing when the transaction cannot start', () => {
    const { db, uow, file } = open('locked.db');
    const other = openDatabase({ filename: file });
    db.pragma('busy_timeout = 0');
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      assert.throws(() => uow.writeBatch([unit('x', 'nx')]), /locked|busy/i);
    } finally {
      other.prepare('ROLLBACK').run();
    }
    assert.equal(count(db, 'SELECT COUNT(*) AS n FROM device_messages'), 0);
    assert.equal(db.inTransaction, false);
    other.close();
    db.close();
  });

  it('keeps its sub-journals in memory', () => {
    const { db } = open('pragmas.db');
    // 2 = MEMORY: savepoint journals are never read after a crash, so they need no file.
    assert.equal(db.pragma('temp_store', { simple: true }), 2);
    assert.equal(db.pragma('synchronous', { simple: true }), 1);
    db.close();
  });
});
