import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { seedScaleInventory } from '../../db/sqlite-scale-seeder.js';
import type { InstanceQuery } from '../../licensing/instances/instance-inventory-repository.js';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { InlineInstanceReader, SplitInstanceReader, type InstanceReader } from '../../server/admin/instances/instance-reader.js';
import { InstanceReadWorker } from '../../server/admin/instances/instance-read-worker.js';
import { loadConfig } from '../../server/config.js';
import { bearerFor } from '../support/admin-auth.js';
import { DIE_AT_NEXT_CHUNK, DIE_ON_LIST } from '../support/dying-read-thread.js';
import { API, getAs } from '../support/instance-fixture.js';
import { labSatellite, type Fixture } from '../support/satellite-fixture.js';

const EXPORT = '/accounts/Acme/product-instances/export.csv';
/** Enough CSV (~6 MB) that a paused client holds the export mid-walk: more than the socket buffers take. */
const IN_LAB = 16_000;
const IN_EDGE = 8_000;

async function bytesOf(chunks: AsyncIterable<string | Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts);
}

/**
 * The admin's instance lists and CSV exports on the read worker (issue 13 item 5): same answers and bytes as
 * the inline path, a client that goes away stops the worker's walk, a dying worker fails only what it held.
 */
describe('instance reads on the read worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-read-worker-'));
  const databaseFile = join(dir, 'satellite.db');
  let f: Fixture;
  let viewer: string;
  let worker: InstanceReadWorker;
  let inline: InlineInstanceReader;
  let accountId = '';
  let labId = '';
  const logLines: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  }));
  const base = (): InstanceQuery => ({ accountId, sort: '-lastContact', limit: Number.MAX_SAFE_INTEGER, offset: 0 });
  const otherWorker = (entry: { url: URL; exportName: string }): InstanceReadWorker => new InstanceReadWorker({
    databaseFile, clock: f.clock, logger, fallback: inline, entry,
  });

  beforeAll(async () => {
    f = await labSatellite({ databaseFile, readWorker: true, logger });
    f.app.seed.virtualAccount('Acme', 'Edge');
    const ids = f.app.satellite.uow.read((r) => {
      const account = r.accounts.findAccountByName('Acme');
      assert.ok(account);
      return { account: account.id, vas: r.accounts.listVirtualAccounts(account.id).map((va) => ({ name: va.name, id: va.id })) };
    });
    accountId = ids.account;
    const lab = ids.vas.find((v) => v.name === 'Lab');
    const edge = ids.vas.find((v) => v.name === 'Edge');
    assert.ok(lab && edge);
    labId = lab.id;
    const now = f.clock.now();
    seedScaleInventory(f.app.satellite.db, { virtualAccountIds: [lab.id], instances: IN_LAB, now, tags: ['t1'], prefix: 'lab', pemBytes: 16 });
    seedScaleInventory(f.app.satellite.db, { virtualAccountIds: [edge.id], instances: IN_EDGE, now, tags: ['t1'], prefix: 'edge', pemBytes: 16 });
    viewer = await bearerFor(f.app, { role: 'viewer' });
    const reads: InstanceReader = f.app.satellite.instanceReads;
    // Lists and exports each get a worker of their own; exports are what these tests watch.
    assert.ok(reads instanceof SplitInstanceReader, 'a file database with readWorker gets the workers');
    assert.ok(reads.exportReader instanceof InstanceReadWorker);
    worker = reads.exportReader;
    inline = new InlineInstanceReader(f.app.satellite.instanceQueries);
  });

  afterAll(() => {
    f.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports every row exactly once, byte for byte what the inline path writes', async () => {
    const res = await getAs(f, EXPORT, viewer).buffer(true);
    assert.equal(res.status, 200, res.text);
    const expected = await bytesOf(inline.exportCsv({ ...base(), registrationState: 'REGISTERED' }));
    assert.ok(expected.length > 4_000_000, 'the export is larger than the socket buffers');
    assert.ok(Buffer.from(res.text).equals(expected), 'same bytes as inline');
    const ids = res.text.trimEnd().split('\r\n').slice(1).map((line) => line.slice(0, line.indexOf(',')));
    const registered = f.app.satellite.db.prepare("SELECT COUNT(*) FROM product_instances WHERE registration_state = 'REGISTERED'").pluck().get();
    assert.equal(ids.length, registered);
    assert.equal(new Set(ids).size, ids.length, 'none twice');
    assert.equal(res.headers['x-total-count'], String(registered));
    assert.deepEqual(await worker.stats(), { openExports: 0, openSnapshots: 0 }, 'it went through the worker, which holds nothing now');
    const limited = { ...base(), virtualAccountId: labId, offset: 1500, limit: 2500, search: 'host-1' };
    assert.ok((await bytesOf(worker.exportCsv(limited))).equals(await bytesOf(inline.exportCsv(limited))));
  });

  it('answers lists, searches, filters and counts as the inline path does', async () => {
    const page = { ...base(), limit: 50 };
    const queries: Array<InstanceQuery> = [
      page,
      { ...page, offset: 9_000, limit: 1000 },
      { ...page, search: 'host-12', searchMatch: 'contains' },
      { ...page, search: 'LABFOC0000012', searchMatch: 'prefix' },
      { ...page, pid: 'C9300-32P' },
      { ...page, productType: '9300-48', virtualAccountId: labId },
      { ...page, authorizationState: 'OUT_OF_COMPLIANCE' },
      { ...page, registrationState: 'UNREGISTERED', sort: 'lastContact' },
    ];
    for (const query of queries) {
      assert.deepEqual(await worker.list(query), await inline.list(query), JSON.stringify(query));
      assert.equal(await worker.count(query), await inline.count(query), JSON.stringify(query));
      // The list route's answer, serialized on the worker: the same bytes as inline.
      const paging = { limit: query.limit, offset: query.offset };
      assert.equal(Buffer.from(await worker.listJson(query, 'capped', paging)).toString('utf8'), await inline.listJson(query, 'capped', paging));
    }
    const exact = { ...page, search: '.example.' };
    assert.deepEqual(await worker.list(exact, 'exact'), await inline.list(exact, 'exact'));
    const res = await getAs(f, '/accounts/Acme/product-instances?search=edge-host-7&limit=5', viewer);
    assert.equal(res.status, 200, res.text);
    const direct = await inline.list({ ...page, search: 'edge-host-7', limit: 5, registrationState: 'REGISTERED' });
    assert.deepEqual(res.body.productInstances.map((r: { id: string }) => r.id), direct.instances.map((s) => s.instance.id));
  });

  it('stops the walk and closes its snapshot when the consumer stops early', async () => {
    let chunks = 0;
    for await (const chunk of worker.exportCsv(base())) {
      assert.ok(chunk.length > 0);
      chunks += 1;
      if (chunks === 1) continue;
      assert.deepEqual(await worker.stats(), { openExports: 1, openSnapshots: 1 });
      break;
    }
    assert.deepEqual(await worker.stats(), { openExports: 0, openSnapshots: 0 });
  });

  it('stops the walk when an HTTP client goes away mid-export', async () => {
    const server: Server = f.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: `${API}${EXPORT}`, headers: { authorization: viewer } }, resolve).on('error', reject);
      });
      assert.equal(response.statusCode, 200);
      // Read one piece, then stop reading: the server's writes wait for drain, so the walk waits too.
      await new Promise<void>((resolve) => response.once('data', () => {
        response.pause();
        resolve();
      }));
      await vi.waitFor(async () => assert.deepEqual(await worker.stats(), { openExports: 1, openSnapshots: 1 }));
      response.destroy();
      await vi.waitFor(async () => assert.deepEqual(await worker.stats(), { openExports: 0, openSnapshots: 0 }), { timeout: 10_000 });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('fails what a dying worker held with UNAVAILABLE, and the next read starts a new one', async () => {
    const dying = otherWorker({ url: new URL('../support/dying-read-thread.ts', import.meta.url), exportName: 'serveDyingInstanceReads' });
    try {
      const page = { ...base(), limit: 20 };
      const died = await dying.list({ ...page, search: DIE_ON_LIST }).then(() => null, (error: unknown) => error);
      assert.ok(died instanceof DomainError && died.code === 'UNAVAILABLE', String(died));
      assert.match(died.message, /interrupted.*retry/);
      assert.deepEqual(await dying.list(page), await inline.list(page), 'a new worker answers');
      // Mid-export: the stream fails (the route then destroys the connection: never a short file that looks whole).
      await dying.count({ ...page, search: DIE_AT_NEXT_CHUNK });
      const some = { ...base(), virtualAccountId: labId, limit: 3000 };
      const partial: Array<string | Uint8Array> = [];
      const failed = await (async () => {
        for await (const chunk of dying.exportCsv(some)) partial.push(chunk);
      })().then(() => null, (error: unknown) => error);
      assert.ok(failed instanceof DomainError && failed.code === 'UNAVAILABLE', String(failed));
      assert.equal(partial.length, 1, 'the header came before the worker died');
      assert.ok((await bytesOf(dying.exportCsv(some))).equals(await bytesOf(inline.exportCsv(some))), 'the next export is whole');
      assert.ok(logLines.some((line) => line.includes('the instance read worker exited')));
      // Over HTTP: a list the worker dies under is a 503 to retry; an export that has begun loses its
      // connection (never a short file that looks whole); the satellite goes on answering.
      f.app.satellite.instanceReads = dying;
      const list = '/accounts/Acme/product-instances';
      const refused = await getAs(f, `${list}?search=${DIE_ON_LIST}`, viewer);
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.body.error.code, 'UNAVAILABLE');
      assert.equal((await getAs(f, `${list}?search=host-1`, viewer)).status, 200);
      await dying.count({ ...page, search: DIE_AT_NEXT_CHUNK });
      await assert.rejects(async () => getAs(f, `${EXPORT}?virtualAccount=Lab&limit=3000`, viewer).buffer(true));
      assert.equal((await getAs(f, `${EXPORT}?virtualAccount=Lab&limit=3000`, viewer)).status, 200);
    } finally {
      f.app.satellite.instanceReads = worker;
      await dying.close();
    }
  });

  it('reads inline, logging once, when the worker cannot start', async () => {
    const broken = otherWorker({ url: new URL('../support/no-such-read-thread.ts', import.meta.url), exportName: 'serve' });
    try {
      const page = { ...base(), limit: 10 };
      assert.deepEqual(await broken.list(page), await inline.list(page));
      assert.equal(await broken.count(page), await inline.count(page));
      assert.equal(await broken.stats(), null);
      assert.equal(logLines.filter((line) => line.includes('cannot start')).length, 1);
    } finally {
      await broken.close();
    }
  });
});

describe('instance reads where no worker can read', () => {
  it('stays inline for an in-memory database, whose lists and exports still work', async () => {
    const f = await labSatellite({ readWorker: true });
    try {
      assert.ok(f.app.satellite.instanceReads instanceof InlineInstanceReader);
      const viewer = await bearerFor(f.app, { role: 'viewer' });
      assert.equal((await getAs(f, '/accounts/Acme/product-instances', viewer)).status, 200);
      const res = await getAs(f, EXPORT, viewer);
      assert.equal(res.status, 200);
      assert.match(res.text, /^id,hostname,/);
    } finally {
      f.app.close();
    }
  });

  it('SATELLITE_READ_WORKER=0 turns it off; it is on by default', () => {
    assert.equal(loadConfig({ SATELLITE_READ_WORKER: '0' }).readWorker, false);
    assert.equal(loadConfig({ SATELLITE_READ_WORKER: 'false' }).readWorker, false);
    assert.equal(loadConfig({}).readWorker, true);
  });
});
