import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipArchive } from 'archiver';
import { pino } from 'pino';
import request from 'supertest';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { generatePkiMaterial } from '../../../licensing/pki/pki-material.js';
import { ManualClock } from '../../../licensing/shared/clock.js';
import { BackupSchedule, pruneBackups } from '../../../server/backup/backup-schedule.js';
import { extractBackup } from '../../../server/backup/backup-reader.js';
import { restoreBackup } from '../../../server/backup/backup-restore.js';
import { writeBackupArchive } from '../../../server/backup/backup-writer.js';
import { createSatelliteApp, type SatelliteApp } from '../../../server/create-satellite-app.js';
import { PKI_FILES } from '../../../server/pki/pki-file-store.js';
import { removeListeningFile, writeListeningFile } from '../../../server/first-start/listening-file.js';
import { bearerFor } from '../../support/admin-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clock = new ManualClock(Date.UTC(2026, 11, 1, 12));

async function backupOf(app: SatelliteApp, name: string): Promise<string> {
  const file = join(dir, name);
  await app.satellite.backups.createFile(file, 'test');
  return file;
}

/** Rewrites an archive entry by entry, letting the test change one (the manifest stays as it was). */
async function rewrite(source: string, target: string, change: (name: string, bytes: Buffer) => Buffer | null, extra?: { name: string; bytes: Buffer }): Promise<void> {
  const zip = await unzipper.Open.file(source);
  const archive = new ZipArchive({});
  const out = createWriteStream(target);
  const done = new Promise<void>((resolve) => out.on('close', () => resolve()));
  archive.pipe(out);
  for (const entry of zip.files) {
    const bytes = change(entry.path, await entry.buffer());
    if (bytes) archive.append(bytes, { name: entry.path });
  }
  if (extra) archive.append(extra.bytes, { name: extra.name });
  await archive.finalize();
  await done;
}

describe('backup archives and restore', () => {
  let a: SatelliteApp;
  let b: SatelliteApp;
  let good = '';
  beforeAll(async () => {
    a = await createSatelliteApp({ clock });
    a.seed.account('Acme');
    b = await createSatelliteApp({ clock });
    good = await backupOf(a, 'a.zip');
  });
  afterAll(() => { a.close(); b.close(); });

  it('holds the manifest, the database snapshot and the six PKI files, each with its sha256', async () => {
    const checked = await extractBackup(good);
    try {
      assert.equal(checked.integrity, 'ok');
      assert.deepEqual(checked.manifest.files.map((f) => f.name).sort(), ['satellite.db', ...Object.values(PKI_FILES).map((f) => `pki/${f}`)].sort());
      assert.equal(checked.manifest.createdAt, new Date(clock.now()).toISOString());
      assert.equal(readFileSync(join(checked.directory, 'pki/root.pem'), 'utf8'), a.rootCertificatePem);
    } finally {
      rmSync(checked.directory, { recursive: true, force: true });
    }
    assert.equal(a.satellite.backups.lastSuccess()?.createdAt, clock.now(), 'recorded for the metrics');
  });

  it('restores into a new directory, and the restored satellite holds the data', async () => {
    const target = join(dir, 'new-data');
    const result = await restoreBackup(good, { dataDir: target, databaseFile: join(target, 'satellite.db') }, { now: clock.now() });
    assert.deepEqual(result.movedAside, []);
    const restored = await createSatelliteApp({ clock, databaseFile: join(target, 'satellite.db') });
    try {
      assert.deepEqual(restored.satellite.inventory.listAccounts().map((x) => x.name), ['Acme']);
    } finally {
      restored.close();
    }
  });

  it('refuses a file that is not a zip, an entry that does not match its sha256, and files the manifest does not list', async () => {
    const garbage = join(dir, 'garbage.zip');
    writeFileSync(garbage, 'not a zip');
    const tampered = join(dir, 'tampered.zip');
    await rewrite(good, tampered, (name, bytes) => (name === 'pki/root.pem' ? Buffer.from(bytes.toString().replace('A', 'B')) : bytes));
    const extra = join(dir, 'extra.zip');
    await rewrite(good, extra, (_n, bytes) => bytes, { name: 'pki/evil.pem', bytes: Buffer.from('x') });
    const missing = join(dir, 'missing.zip');
    await rewrite(good, missing, (name, bytes) => (name === 'satellite.db' ? null : bytes));
    const target = join(dir, 'untouched');
    for (const [file, reason] of [[garbage, /not a readable zip/], [tampered, /pki\/root\.pem does not match the manifest/], [extra, /not in the manifest: pki\/evil\.pem/], [missing, /satellite\.db is listed in the manifest but missing/]] as const) {
      await assert.rejects(restoreBackup(file, { dataDir: target, databaseFile: join(target, 'satellite.db') }, { now: clock.now() }),
        (error: { code?: string; message?: string }) => error.code === 'VALIDATION_FAILED' && /^BACKUP_CORRUPT/.test(error.message ?? '') && reason.test(error.message ?? ''));
    }
    assert.deepEqual(readdirSync(target), [], 'nothing written, no staging left behind');
  });

  it('refuses a database newer than this code', async () => {
    const pkiMaterial = await generatePkiMaterial({ now: clock.now(), hostNames: ['localhost'] });
    const newer = await createSatelliteApp({ clock, pkiMaterial });
    try {
      newer.satellite.db.pragma('user_version = 999');
      const file = join(dir, 'newer.zip');
      await writeBackupArchive({ db: newer.satellite.db, pkiMaterial, now: clock.now() }, createWriteStream(file));
      const target = join(dir, 'too-new');
      await assert.rejects(restoreBackup(file, { dataDir: target, databaseFile: join(target, 'satellite.db') }, { now: clock.now() }),
        (error: { code?: string; message?: string }) => error.code === 'DATABASE_TOO_NEW' && /schema version 999/.test(error.message ?? ''));
      assert.ok(!existsSync(join(target, 'satellite.db')));
    } finally {
      newer.close();
    }
  });

  it('refuses another satellite\'s archive over an existing one unless forced, and keeps what it replaces', async () => {
    const target = join(dir, 'b-data');
    await restoreBackup(await backupOf(b, 'b.zip'), { dataDir: target, databaseFile: join(target, 'satellite.db') }, { now: clock.now() });
    await assert.rejects(restoreBackup(good, { dataDir: target, databaseFile: join(target, 'satellite.db') }, { now: clock.now() }),
      (error: { code?: string; details?: { reason?: string }; message?: string }) => error.code === 'CONFLICT' && error.details?.reason === 'BACKUP_OTHER_SATELLITE' && /--force/.test(error.message ?? ''));
    assert.equal(readFileSync(join(target, 'pki/root.pem'), 'utf8'), b.rootCertificatePem, 'untouched');
    const forced = await restoreBackup(good, { dataDir: target, databaseFile: join(target, 'satellite.db') }, { force: true, now: clock.now() });
    assert.equal(readFileSync(join(target, 'pki/root.pem'), 'utf8'), a.rootCertificatePem);
    assert.ok(forced.movedAside.some((f) => /satellite\.db\.before-restore-/.test(f)));
    assert.ok(forced.movedAside.every((f) => existsSync(f)));
  });

  it('refuses to restore under a running satellite, and over the same satellite keeps only what differs', async () => {
    const target = join(dir, 'same');
    const where = { dataDir: target, databaseFile: join(target, 'satellite.db') };
    await restoreBackup(good, where, { now: clock.now() });
    writeListeningFile(target, { pid: process.pid, host: '127.0.0.1', port: 8443, serverName: 'localhost' });
    await assert.rejects(restoreBackup(good, where, { now: clock.now() }),
      (error: { code?: string; details?: { reason?: string } }) => error.code === 'CONFLICT' && error.details?.reason === 'SATELLITE_RUNNING');
    removeListeningFile(target);
    clock.advance(1000);
    const again = await restoreBackup(good, where, { now: clock.now() });
    assert.deepEqual(again.movedAside.map((f) => f.replace(/\.before-restore-.*$/, '').slice(target.length + 1)), ['satellite.db']);
  });

  it('POST /backups streams an archive to unscoped admins only', async () => {
    await request(a).post('/backend/api/v1/backups').expect(403); // no credentials (DESIGN §6 amended)
    await request(a).post('/backend/api/v1/backups').set('authorization', await bearerFor(a, { role: 'operator' })).expect(403);
    await request(a).post('/backend/api/v1/backups').set('authorization', await bearerFor(a, { role: 'admin', accountScope: ['Acme'] })).expect(403);
    const res = await request(a).post('/backend/api/v1/backups').set('authorization', await bearerFor(a, { role: 'admin' }))
      .buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      }).expect(200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(String(res.headers['content-disposition']), /attachment; filename="satellite-backup-2026-12-01T12-00-0\d-000Z\.zip"/);
    const file = join(dir, 'download.zip');
    writeFileSync(file, res.body as Buffer);
    const checked = await extractBackup(file);
    rmSync(checked.directory, { recursive: true, force: true });
    assert.equal(checked.manifest.satelliteId.length, 64);
    const doc = (await request(a).get('/backend/api/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }>; 'x-minimum-role'?: string }>> };
    const post = doc.paths['/backend/api/v1/backups']?.post;
    assert.ok(post?.responses['200']?.content?.['application/zip'], 'documented as a zip download');
    assert.equal(post['x-minimum-role'], 'admin');
  });

  it('scheduled backups keep the newest SATELLITE_BACKUP_KEEP archives and leave other files alone', async () => {
    const target = join(dir, 'scheduled');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    const schedule = new BackupSchedule({ backups: a.satellite.backups, clock, logger: pino({ level: 'silent' }), cronExpression: '0 3 * * *', directory: target, keep: 2 });
    const made: Array<string | null> = [];
    for (let i = 0; i < 3; i += 1) {
      clock.advance(60_000);
      made.push(await schedule.runOnce());
    }
    assert.deepEqual(readdirSync(target).sort(), ['notes.txt', ...made.slice(1).map((f) => (f ?? '').split('/').pop() ?? '')].sort());
    assert.deepEqual(await pruneBackups(target, 1), [(made[1] ?? '').split('/').pop()]);
  });
});
