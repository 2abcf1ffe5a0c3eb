import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { seedScaleInventory } from '../../db/sqlite-scale-seeder.js';
import { EXPORT_WINDOW, InstanceQueryService } from '../../licensing/instances/instance-query-service.js';
import { bearerFor } from '../support/admin-auth.js';
import { parseCsv } from '../support/csv-reader.js';
import { assertError, getAs } from '../support/instance-fixture.js';
import { labSatellite, type Fixture } from '../support/satellite-fixture.js';

const LIST = '/accounts/Acme/product-instances';
/** Past the count cap (10,000) and past several export windows (1,000). */
const IN_LAB = 10_040;
const IN_EDGE = 300;

interface Row { id: string; lastContactAt: string; virtualAccount: string; udi: { serialNumber: string }; hostname: string | null }
interface Page { productInstances: Row[]; total: number; totalExact: boolean; nextCursor: string | null }

/**
 * The inventory at a size where its bounds show (issue 13 item 5): bulk rows from the scale seeder, the
 * count cap, keyset pages, prefix search, account-wide merging of VAs and the streamed export.
 */
describe('product instance inventory beyond its caps', () => {
  let f: Fixture;
  let viewer: string;
  const page = async (query: string): Promise<Page> => {
    const res = await getAs(f, `${LIST}${query}`, viewer);
    assert.equal(res.status, 200, res.text);
    return res.body as Page;
  };
  /** Every row, following nextCursor from the first page. */
  const byCursor = async (query: string): Promise<Row[]> => {
    const rows: Row[] = [];
    let next: string | null = '';
    while (next !== null) {
      const p: Page = await page(`${query}&limit=1000${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
      rows.push(...p.productInstances);
      next = p.nextCursor;
    }
    return rows;
  };
  const sortKey = (r: Row): [number, string] => [Date.parse(r.lastContactAt), r.id];

  beforeAll(async () => {
    f = await labSatellite();
    f.app.seed.virtualAccount('Acme', 'Edge');
    const ids = f.app.satellite.uow.read((r) => {
      const account = r.accounts.findAccountByName('Acme');
      assert.ok(account);
      return r.accounts.listVirtualAccounts(account.id).map((va) => ({ name: va.name, id: va.id }));
    });
    const lab = ids.find((v) => v.name === 'Lab');
    const edge = ids.find((v) => v.name === 'Edge');
    assert.ok(lab && edge);
    const now = f.clock.now();
    seedScaleInventory(f.app.satellite.db, { virtualAccountIds: [lab.id], instances: IN_LAB, now, tags: ['t1'], prefix: 'lab' });
    seedScaleInventory(f.app.satellite.db, { virtualAccountIds: [edge.id], instances: IN_EDGE, now, tags: ['t1'], prefix: 'edge' });
    viewer = await bearerFor(f.app, { role: 'viewer' });
  });
  afterAll(() => f.app.close());

  const registeredIn = (va: string): number => f.app.satellite.db
    .prepare(`SELECT COUNT(*) FROM product_instances pi JOIN virtual_accounts va ON va.id = pi.va_id
      WHERE va.name = ? AND pi.registration_state = 'REGISTERED'`).pluck().get(va) as number;

  it('caps the count at 10,000 unless asked for the exact one', async () => {
    const capped = await page('?virtualAccount=Lab');
    assert.equal(capped.total, 10_000);
    assert.equal(capped.totalExact, false);
    assert.equal(capped.productInstances.length, 50);
    const exact = await page('?virtualAccount=Lab&count=exact');
    assert.equal(exact.total, registeredIn('Lab'));
    assert.equal(exact.totalExact, true);
    const small = await page('?virtualAccount=Edge');
    assert.deepEqual([small.total, small.totalExact], [registeredIn('Edge'), true]);
  });

  it('pages by cursor through every row once, in the same order as offsets, ties broken by id', async () => {
    const all = await byCursor('?virtualAccount=Lab');
    assert.equal(all.length, registeredIn('Lab'));
    assert.equal(new Set(all.map((r) => r.id)).size, all.length);
    for (let i = 1; i < all.length; i += 1) {
      const [a, b] = [sortKey(all[i - 1] as Row), sortKey(all[i] as Row)];
      assert.ok(a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]), `row ${i} follows row ${i - 1} newest first`);
    }
    const byOffset = await page('?virtualAccount=Lab&offset=9000&limit=1000');
    assert.deepEqual(byOffset.productInstances.map((r) => r.id), all.slice(9000, 10_000).map((r) => r.id));
    const oldest = await byCursor('?virtualAccount=Lab&sort=lastContact');
    assert.deepEqual(oldest.map((r) => r.id), [...all].reverse().map((r) => r.id));
  });

  it('merges the VAs of an account-wide list in sort order, by offset and by cursor', async () => {
    const lab = await byCursor('?virtualAccount=Lab');
    const edge = await byCursor('?virtualAccount=Edge');
    const merged = [...lab, ...edge].sort((x, y) => {
      const [a, b] = [sortKey(x), sortKey(y)];
      return b[0] - a[0] || (a[1] < b[1] ? 1 : -1);
    });
    assert.deepEqual((await byCursor('?')).map((r) => r.id), merged.map((r) => r.id));
    const second = await page('?offset=50&limit=50');
    assert.deepEqual(second.productInstances.map((r) => r.id), merged.slice(50, 100).map((r) => r.id));
  });

  it('bounds offsets and refuses a cursor it did not issue, naming the parameter', async () => {
    assertError(await getAs(f, `${LIST}?offset=10001`, viewer), 400, 'VALIDATION_FAILED', /query\.offset/);
    assertError(await getAs(f, `${LIST}?cursor=bm90LWEtY3Vyc29y`, viewer), 400, 'VALIDATION_FAILED', /query\.cursor/);
    assertError(await getAs(f, `${LIST}?match=regex&search=x`, viewer), 400, 'VALIDATION_FAILED', /query\.match/);
  });

  it('searches by prefix through the indexes: serial, hostname, PID and id, not substrings', async () => {
    const serial = await page('?search=labfoc0000012&match=prefix&registrationState=ANY');
    assert.deepEqual(serial.productInstances.map((r) => r.udi.serialNumber).sort(),
      Array.from({ length: 10 }, (_, i) => `LABFOC0000012${i}`));
    const host = await page('?search=EDGE-HOST-29&match=prefix&registrationState=ANY');
    assert.deepEqual(host.productInstances.map((r) => r.hostname).sort(), ['edge-host-29.example.net', 'edge-host-290.example.net',
      'edge-host-291.example.net', 'edge-host-292.example.net', 'edge-host-293.example.net', 'edge-host-294.example.net',
      'edge-host-295.example.net', 'edge-host-296.example.net', 'edge-host-297.example.net', 'edge-host-298.example.net', 'edge-host-299.example.net']);
    assert.equal((await page('?search=host-29&match=prefix')).total, 0, 'a substring is not a prefix');
    assert.ok((await page('?search=host-29')).total > 0, 'contains (the default) still finds substrings');
    const dense = await page('?search=C9300&match=prefix');
    assert.deepEqual([dense.total, dense.totalExact, dense.productInstances.length], [10_000, false, 50], 'a prefix most rows share walks the sort index');
    const one = serial.productInstances[0];
    assert.ok(one);
    assert.deepEqual((await page(`?search=${one.id.slice(0, 12)}&match=prefix&registrationState=ANY`)).productInstances.map((r) => r.id), [one.id]);
  });

  it('streams the whole export, every row once, with the full count in x-total-count', async () => {
    const res = await getAs(f, `${LIST}/export.csv`, viewer);
    assert.equal(res.status, 200, res.text);
    const expected = registeredIn('Lab') + registeredIn('Edge');
    assert.equal(res.headers['x-total-count'], String(expected));
    const [header, ...rows] = parseCsv(res.text);
    assert.ok(header);
    assert.equal(rows.length, expected);
    assert.equal(new Set(rows.map((r) => r[0])).size, expected);
    const limited = parseCsv((await getAs(f, `${LIST}/export.csv?virtualAccount=Lab&offset=1500&limit=2500`, viewer)).text).slice(1);
    const all = await byCursor('?virtualAccount=Lab');
    assert.deepEqual(limited.map((r) => r[0]), all.slice(1500, 4000).map((r) => r.id));
  });

  it('gives the event loop back between windows while it lists, counts and exports', async () => {
    let turns = 0;
    const service = new InstanceQueryService({
      uow: f.app.satellite.uow, clock: f.clock, yieldTurn: async () => {
        turns += 1;
      },
    });
    const account = f.app.satellite.inventory.findAccount('Acme');
    let rows = 0;
    for await (const chunk of service.exportRows({ accountId: account.id, sort: '-lastContact', limit: Number.MAX_SAFE_INTEGER, offset: 0 })) {
      assert.ok(chunk.length <= EXPORT_WINDOW, 'one window at most');
      rows += chunk.length;
    }
    const unregistered = f.app.satellite.db.prepare(`SELECT COUNT(*) FROM product_instances WHERE registration_state = 'UNREGISTERED'`)
      .pluck().get() as number;
    assert.equal(rows, registeredIn('Lab') + registeredIn('Edge') + unregistered, 'no registration filter: every instance');
    assert.ok(turns >= 10, `yielded ${turns} times over ${rows} rows`);
    turns = 0;
    // Two characters are too short for the trigram index: that substring walks windows of 1,000 rows.
    await service.count({ accountId: account.id, search: 'q~' });
    assert.ok(turns >= 5, `a short substring count walks windows of 1,000 (${turns} yields)`);
    turns = 0;
    assert.equal(await service.count({ accountId: account.id, search: 'nothing-matches-this' }), 0);
    assert.equal(turns, 0, 'a longer one is one read of the trigram index');
  });
});
