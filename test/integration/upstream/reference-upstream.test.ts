import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openSqliteUpstreamStore } from '../../../db/upstream/sqlite-upstream-unit-of-work.js';
import { ManualClock, MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { uuidGenerator } from '../../../licensing/shared/id-generator.js';
import { parseOrdersFile, readOrdersFile } from '../../../sync/upstream/orders-file-reader.js';
import { openReferenceUpstream, type ReferenceUpstream } from '../../../sync/upstream/reference-upstream.js';

const EXAMPLES = new URL('../../../sync/upstream/examples/', import.meta.url).pathname;
const START = Date.UTC(2026, 2, 1);
const dir = mkdtempSync(join(tmpdir(), 'upstream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function open(clock = new ManualClock(START), dataDir = join(dir, `u${(count += 1)}`)): ReferenceUpstream {
  return openReferenceUpstream({ dataDir, clock, newId: uuidGenerator, openStore: openSqliteUpstreamStore });
}

/** What two upstreams must agree on after loading the same orders: everything but generated VA ids. */
const book = (u: ReferenceUpstream) => ({ accounts: u.orders.accounts(), lines: u.orders.lines().map(({ virtualAccountId: _id, ...line }) => line) });

describe('reference upstream: orders', () => {
  it('loads the same data from the JSON and the CSV example: 2 accounts, 3 VAs, 5 lines with a TERM line', async () => {
    const fromJson = open();
    const fromCsv = open();
    try {
      assert.deepEqual(fromJson.orders.load(await readOrdersFile(join(EXAMPLES, 'orders.json'))), {
        accountsCreated: 2, virtualAccountsCreated: 3, inserted: 5, updated: 0, reactivated: 0, ended: 0, unchanged: 0,
      });
      fromCsv.orders.load(await readOrdersFile(join(EXAMPLES, 'orders.csv')));
      assert.deepEqual(book(fromCsv), book(fromJson));
      assert.deepEqual(fromJson.orders.accounts(), [
        { account: 'Acme Corp', virtualAccounts: ['Default', 'Lab'] }, { account: 'Globex', virtualAccounts: ['Voice'] },
      ]);
      const term = fromJson.orders.lines().find((l) => l.licenseType === 'TERM');
      assert.equal(term?.endsAt, Date.UTC(2029, 0, 1));
    } finally {
      fromJson.close();
      fromCsv.close();
    }
  });

  it('reconciles a reload: a changed quantity updates, a missing line ends, a returning line comes back', async () => {
    const clock = new ManualClock(START);
    const u = open(clock);
    try {
      const original = await readOrdersFile(join(EXAMPLES, 'orders.json'));
      u.orders.load(original);
      assert.deepEqual(u.orders.load(original), { accountsCreated: 0, virtualAccountsCreated: 0, inserted: 0, updated: 0, reactivated: 0, ended: 0, unchanged: 5 });
      clock.advance(MS_PER_DAY);
      const changed = original.filter((l) => l.orderLineId !== 'ORD-1002-1').map((l) => (l.orderLineId === 'ORD-1001-1' ? { ...l, quantity: 120 } : l));
      assert.deepEqual(u.orders.load(changed), { accountsCreated: 0, virtualAccountsCreated: 0, inserted: 0, updated: 1, reactivated: 0, ended: 1, unchanged: 3 });
      const byId = new Map(u.orders.lines().map((l) => [l.orderLineId, l]));
      assert.deepEqual([byId.get('ORD-1001-1')?.quantity, byId.get('ORD-1001-1')?.revision, byId.get('ORD-1001-1')?.updatedAt], [120, 2, START + MS_PER_DAY]);
      assert.equal(byId.get('ORD-1002-1')?.endedAt, START + MS_PER_DAY, 'ended, not deleted');
      assert.equal(byId.get('ORD-1002-1')?.quantity, 10, 'an ended line keeps its terms');
      assert.deepEqual(u.orders.accounts().find((a) => a.account === 'Acme Corp')?.virtualAccounts, ['Default', 'Lab'], 'the VA stays');
      clock.advance(MS_PER_DAY);
      assert.deepEqual(u.orders.load(original), { accountsCreated: 0, virtualAccountsCreated: 0, inserted: 0, updated: 2, reactivated: 1, ended: 0, unchanged: 3 });
      assert.equal(u.orders.lines().find((l) => l.orderLineId === 'ORD-1002-1')?.endedAt, null);
    } finally {
      u.close();
    }
  });

  it('changes nothing when an orders file is refused', () => {
    const u = open();
    try {
      const bad = 'order_line_id,smart_account,virtual_account,tag,display_name,quantity,license_type,start_date\r\nL1,Acme,Default,x,X,1,PERPETUAL,2026-01-01\r\n';
      assert.throws(() => u.orders.load(parseOrdersFile(bad, { source: 'bad.csv', format: 'csv' })), /bad\.csv: 1 problem in the orders file:\n {2}line 2, column 17 \(tag\)/);
      assert.deepEqual(u.orders.lines(), []);
    } finally {
      u.close();
    }
  });
});

describe('reference upstream: identity, registration and retirement', () => {
  it('creates its id and P-256 key once, in 0600 files of a 0700 directory, and reuses them', () => {
    const dataDir = join(dir, 'identity');
    const first = open(new ManualClock(START), dataDir);
    const { upstreamId, fingerprint } = first.identity;
    assert.equal(first.identityCreated, true);
    first.close();
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    for (const file of ['upstream.json', 'upstream-key.pem', 'upstream-public.pem']) assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
    const again = open(new ManualClock(START), dataDir);
    assert.deepEqual([again.identityCreated, again.identity.upstreamId, again.identity.fingerprint], [false, upstreamId, fingerprint]);
    again.close();
    unlinkSync(join(dataDir, 'upstream-key.pem'));
    assert.throws(() => open(new ManualClock(START), dataDir), /incomplete upstream identity.*found 2 of 3 files/);
    assert.ok(existsSync(join(dataDir, 'upstream-public.pem')), 'nothing was regenerated');
  });

  it('registers satellites against its accounts and re-issues a file for a known id', async () => {
    const clock = new ManualClock(START);
    const u = open(clock);
    try {
      u.orders.load(await readOrdersFile(join(EXAMPLES, 'orders.csv')));
      const { satellite, file } = u.issueRegistration({ name: 'Site A', accounts: [{ account: 'Acme Corp' }] }, 'https://upstream.example:8444');
      assert.deepEqual(satellite.accounts, [{ account: 'Acme Corp', virtualAccounts: ['Default', 'Lab'] }]);
      assert.equal(satellite.credentialExpiresAt, START + 365 * MS_PER_DAY);
      const payload = JSON.parse((JSON.parse(file) as { payload: string }).payload) as Record<string, unknown>;
      assert.deepEqual([payload.satellite_id, payload.upstream_id, payload.upstream_url], [satellite.id, u.identity.upstreamId, 'https://upstream.example:8444']);
      clock.advance(MS_PER_DAY);
      const reissued = u.issueRegistration({ satelliteId: satellite.id, name: 'Site A', accounts: [{ account: 'Globex', virtualAccounts: ['Voice'] }] });
      assert.deepEqual([reissued.satellite.registeredAt, reissued.satellite.issuedAt, reissued.satellite.accounts], [START, START + MS_PER_DAY, [{ account: 'Globex', virtualAccounts: ['Voice'] }]]);
      assert.equal(u.registry.list().length, 1);
      assert.throws(() => u.issueRegistration({ name: 'X', accounts: [{ account: 'Nope' }] }), { code: 'NOT_FOUND', message: "smart account 'Nope' was not found" });
      assert.throws(() => u.issueRegistration({ name: 'X', accounts: [{ account: 'Globex', virtualAccounts: ['Data'] }] }), { code: 'NOT_FOUND', message: "virtual account 'Globex/Data' was not found" });
      assert.throws(() => u.issueRegistration({ name: ' ', accounts: [{ account: 'Globex' }] }), { code: 'VALIDATION_FAILED' });
    } finally {
      u.close();
    }
  });

  it('retires a satellite that has not synced for 90 days, and refuses to re-issue its file', async () => {
    const clock = new ManualClock(START);
    const u = open(clock);
    try {
      u.orders.load(await readOrdersFile(join(EXAMPLES, 'orders.json')));
      const old = u.issueRegistration({ name: 'Old', accounts: [{ account: 'Acme Corp' }] }).satellite;
      clock.advance(30 * MS_PER_DAY);
      const recent = u.issueRegistration({ name: 'Recent', accounts: [{ account: 'Globex' }] }).satellite;
      clock.advance(60 * MS_PER_DAY - 1);
      assert.deepEqual(u.registry.retireStaleSatellites(clock.now()), []);
      clock.advance(1);
      assert.deepEqual(u.registry.retireStaleSatellites(clock.now()).map((s) => s.id), [old.id]);
      assert.equal(u.registry.find(old.id).retiredAt, clock.now());
      assert.equal(u.registry.find(recent.id).retiredAt, null);
      assert.deepEqual(u.registry.retireStaleSatellites(clock.now()), [], 'retiring is done once');
      assert.throws(() => u.issueRegistration({ satelliteId: old.id, name: 'Old', accounts: [{ account: 'Acme Corp' }] }), { code: 'CONFLICT' });
    } finally {
      u.close();
    }
  });

  it('keeps the database and the key files in its own data directory', () => {
    const dataDir = join(dir, 'layout');
    open(new ManualClock(START), dataDir).close();
    assert.ok(existsSync(join(dataDir, 'upstream.db')));
    assert.match(readFileSync(join(dataDir, 'upstream-public.pem'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
  });
});
