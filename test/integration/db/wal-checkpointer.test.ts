import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../db/sqlite-connection.js';
import { WalCheckpointer, type CheckpointStats } from '../../../db/sqlite-wal-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });
const PAGE = 4096;

function scratch(name: string): SqliteDatabase {
  const db = openDatabase({ filename: join(dir, name), migrations: [] });
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL) STRICT');
  return db;
}

/** Writes `rounds` transactions of a few pages each, letting the worker run between them. */
async function write(db: SqliteDatabase, rounds: number): Promise<void> {
  const insert = db.prepare('INSERT INTO t (v) VALUES (randomblob(?))');
  for (let i = 0; i < rounds; i += 1) {
    db.transaction(() => { for (let j = 0; j < 4; j += 1) insert.run(PAGE); })();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A reader holding a snapshot open, as a long export does: the WAL cannot be checkpointed past it. */
function pinnedBy(file: string): Database.Database {
  const reader = new Database(file, { readonly: true });
  reader.prepare('BEGIN').run();
  reader.prepare('SELECT count(*) FROM t').get();
  return reader;
}

/** Until the worker has checkpointed at least `count` times (its interval is 1 ms here). */
async function checkpointed(c: WalCheckpointer, count: number): Promise<CheckpointStats> {
  for (;;) {
    const stats = await c.stats();
    assert.ok(stats, 'the worker answers');
    if (stats.checkpoints >= count) return stats;
  }
}

describe('WAL checkpoints on a worker thread', () => {
  it('turns the writer\'s automatic checkpoint off, keeps the WAL short, and gives it back on close', async () => {
    const db = scratch('worker.db');
    const c = WalCheckpointer.start(db, { logger, intervalMs: 10, resetPages: 200 });
    assert.ok(c);
    assert.equal(await c.ready(), true);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    await write(db, 50);
    const first = await checkpointed(c, 1);
    await write(db, 400);
    let stats = await checkpointed(c, first.checkpoints + 1);
    assert.equal(stats.failures, 0);
    assert.ok(stats.lastLogPages >= 1_000 || stats.resets >= 1, `a WAL that grew: ${JSON.stringify(stats)}`);
    // Once a checkpoint has caught up, the writer's next transaction starts the WAL over.
    let extra = 0;
    for (;;) {
      const before = stats.checkpoints;
      stats = await checkpointed(c, before + 1);
      await write(db, 1);
      extra += 1;
      stats = await checkpointed(c, stats.checkpoints + 1);
      if (stats.lastLogPages < 100) break;
    }
    assert.equal(db.pragma('journal_size_limit', { simple: true }), 64 * 1024 * 1024);
    await c.close();
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    assert.equal(existsSync(join(dir, 'worker.db-wal')), false, 'the last close checkpoints and removes the WAL');
    assert.equal(execFileSync('sqlite3', [join(dir, 'worker.db'), 'SELECT count(*) FROM t;'], { encoding: 'utf8' }).trim(), String((450 + extra) * 4));
  });

  it('does not ask the writer to finish while a reader holds older frames, and starts the WAL over once it lets go', async () => {
    const file = join(dir, 'pinned.db');
    const db = scratch('pinned.db');
    const c = WalCheckpointer.start(db, { logger, intervalMs: 1, resetPages: 200 });
    assert.ok(c);
    assert.equal(await c.ready(), true);
    await write(db, 10);
    // A long read (an export's snapshot): no checkpoint can copy the frames written after it began.
    const reader = pinnedBy(file);
    await write(db, 400);
    let stats = await checkpointed(c, (await checkpointed(c, 1)).checkpoints + 2);
    const pinned = stats.finishes;
    stats = await checkpointed(c, stats.checkpoints + 20);
    assert.equal(stats.finishes, pinned, `no finish asked of the writer while the reader pins the WAL: ${JSON.stringify(stats)}`);
    assert.ok(stats.lastLogPages > 1_024, 'the WAL grew behind the reader');
    reader.prepare('COMMIT').run();
    reader.close();
    // Whether the worker caught up between two writes or the writer finished for it, the WAL starts over.
    let restarted = false;
    for (let i = 0; i < 1_000 && !restarted; i += 1) {
      stats = await checkpointed(c, stats.checkpoints + 1);
      await write(db, 1);
      stats = await checkpointed(c, stats.checkpoints + 1);
      restarted = stats.lastLogPages < 100;
    }
    assert.ok(restarted, `the WAL started over once the reader was gone: ${JSON.stringify(stats)}`);
    await c.close();
    db.close();
  });

  it('cuts a WAL that grew behind a reader back to its limit a step at a time, never all at once', async () => {
    const file = join(dir, 'shrink.db');
    const db = scratch('shrink.db');
    const limit = 256 * 1024;
    const step = 512 * 1024;
    const c = WalCheckpointer.start(db, { logger, intervalMs: 1, resetPages: 50, sizeLimitBytes: limit, shrinkStepBytes: step });
    assert.ok(c);
    assert.equal(await c.ready(), true);
    await write(db, 5);
    const reader = pinnedBy(file);
    await write(db, 300);
    const grown = statSync(`${file}-wal`).size;
    assert.ok(grown > 4 * step, `the WAL grew behind the reader: ${grown} bytes`);
    reader.prepare('COMMIT').run();
    reader.close();
    const sizes = [grown];
    for (let i = 0; i < 5_000 && (sizes.at(-1) ?? 0) > limit + 64 * 1024; i += 1) {
      await checkpointed(c, ((await c.stats())?.checkpoints ?? 0) + 1);
      await write(db, 1);
      const size = statSync(`${file}-wal`).size;
      if (size !== sizes.at(-1)) sizes.push(size);
    }
    assert.ok((sizes.at(-1) ?? 0) <= limit + 64 * 1024, `back near the limit: ${sizes.join(' > ')}`);
    const cuts = sizes.slice(1).map((size, i) => (sizes[i] ?? 0) - size);
    assert.ok(cuts.length >= 4, `cut in several steps: ${sizes.join(' > ')}`);
    for (const cut of cuts) assert.ok(cut <= step, `no cut larger than the step: ${sizes.join(' > ')}`);
    await c.close();
    db.close();
  });

  it('falls back to automatic checkpoints when the worker dies', async () => {
    const db = scratch('dies.db');
    const c = WalCheckpointer.start(db, {
      logger, intervalMs: 1,
      source: "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ type: 'ready' }); setImmediate(() => { throw new Error('boom'); });",
    });
    assert.ok(c);
    await c.ready();
    // Polls for the worker's end (its error event), not a fixed wait.
    for (let i = 0; i < 10_000 && c.running; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(c.running, false);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    assert.equal(await c.stats(), null);
    await c.close();
    db.close();
  });

  it('has nothing to do for an in-memory database', () => {
    const db = openDatabase({ filename: ':memory:', migrations: [] });
    assert.equal(WalCheckpointer.start(db, { logger }), null);
    db.close();
  });
});
