import assert from 'node:assert/strict';
import { afterAll, describe, it } from 'vitest';
import { openDatabase } from '../../../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../../../db/sqlite-unit-of-work.js';
import { InstanceQueryService } from '../../../licensing/instances/instance-query-service.js';
import type { InstanceFilter } from '../../../licensing/instances/instance-inventory-repository.js';

/**
 * Migration 0015: the trigram index and product_kinds follow every insert, update and delete of
 * product_instances, and a search through them answers what the row-by-row walk answers.
 */
const db = openDatabase({ filename: ':memory:' });
afterAll(() => db.close());
db.exec(`INSERT INTO accounts (id, name, created_at) VALUES ('a1', 'Acme', 0);
  INSERT INTO virtual_accounts (id, account_id, name, description, origin, created_at) VALUES ('va1', 'a1', 'Lab', '', 'local', 0);`);
const insert = db.prepare(`INSERT INTO product_instances (id, va_id, udi_pid, udi_serial_number, product_tag, hostname, ip_address,
  export_control_allowed, registration_state, authorization_state, registered_at, last_contact_at, kind)
  VALUES (@id, 'va1', @pid, @serial, @tag, @hostname, @ip, 1, 'REGISTERED', 'AUTHORIZED', 0, @contact, 'DEVICE')`);
const rows = [
  { id: 'aaaa1111-0000', pid: 'C9300-24UX', serial: 'FOC100', tag: 'regid.cisco.C9300', hostname: 'Core-Switch-01', ip: '10.0.0.1', contact: 1 },
  { id: 'bbbb2222-0000', pid: 'c9300-24ux', serial: 'FOC200', tag: 'regid.cisco.C9300', hostname: 'edge_50%"off"', ip: '10.0.0.2', contact: 2 },
  { id: 'cccc3333-0000', pid: 'ISR4451-X', serial: 'FGL300', tag: 'regid.cisco.ISR', hostname: null, ip: null, contact: 3 },
];
for (const row of rows) insert.run(row);
const service = new InstanceQueryService({ uow: new SqliteUnitOfWork(db), clock: { now: () => 10 } });
const ids = async (f: Omit<InstanceFilter, 'accountId'>): Promise<string[]> =>
  (await service.list({ accountId: 'a1', ...f, sort: 'lastContact', limit: 50, offset: 0 })).instances.map((s) => s.instance.id);
const count = (f: Omit<InstanceFilter, 'accountId'>): Promise<number> => service.count({ accountId: 'a1', ...f }, 10_001);

describe('instance search index (migration 0015)', () => {
  it('finds substrings of hostname, IP, serial and PID, ids by prefix, quotes and % literally, any case', async () => {
    assert.deepEqual(await ids({ search: 'switch-0' }), ['aaaa1111-0000']);
    assert.deepEqual(await ids({ search: '0.0.2' }), ['bbbb2222-0000']);
    assert.deepEqual(await ids({ search: 'gl30' }), ['cccc3333-0000']);
    assert.deepEqual(await ids({ search: '4451' }), ['cccc3333-0000']);
    assert.deepEqual(await ids({ search: '50%"off"' }), ['bbbb2222-0000']);
    assert.deepEqual(await ids({ search: 'BBBB22' }), ['bbbb2222-0000'], 'an id by prefix');
    assert.deepEqual(await ids({ search: '2222-0000' }), [], 'not by substring');
    assert.equal(await count({ search: 'foc' }), 2);
    assert.equal(await count({ search: 'aaaa11' }), 1, 'the id-prefix match counted once');
    assert.equal(await count({ search: 'no-such-thing' }), 0);
  });

  it('counts a product type across PIDs that differ only in case once per instance', async () => {
    assert.equal(await count({ productType: 'C9300' }), 2);
    assert.deepEqual(await ids({ productType: 'c9300' }), ['aaaa1111-0000', 'bbbb2222-0000']);
    assert.deepEqual(await ids({ productType: 'ISR' }), ['cccc3333-0000']);
    assert.deepEqual(db.prepare('SELECT product_tag, udi_pid FROM product_kinds ORDER BY udi_pid').raw().all().length, 3);
  });

  it('follows updates and deletes of the searched columns', async () => {
    db.prepare(`UPDATE product_instances SET hostname = 'renamed-core' WHERE id = 'aaaa1111-0000'`).run();
    assert.deepEqual(await ids({ search: 'switch-0' }), []);
    assert.deepEqual(await ids({ search: 'renamed' }), ['aaaa1111-0000']);
    db.prepare(`UPDATE product_instances SET udi_pid = 'C8300-1N1S', product_tag = 'regid.cisco.C8300' WHERE id = 'cccc3333-0000'`).run();
    assert.deepEqual(await ids({ productType: 'C8300' }), ['cccc3333-0000']);
    assert.deepEqual(await ids({ productType: 'ISR' }), [], 'the stale pair finds no instance');
    db.prepare(`UPDATE product_instances SET last_contact_at = 9 WHERE id = 'bbbb2222-0000'`).run();
    assert.deepEqual(await ids({ search: '0.0.2' }), ['bbbb2222-0000'], 'a write of other columns leaves the index as it was');
    db.prepare(`DELETE FROM product_instances WHERE id = 'cccc3333-0000'`).run();
    assert.deepEqual(await ids({ search: 'C8300' }), []);
    assert.equal(db.prepare(`INSERT INTO product_instance_search (product_instance_search, rank) VALUES ('integrity-check', 1)`).run().changes >= 0, true);
  });
});
