import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import { bearerFor } from '../support/admin-auth.js';
import { parseCsv } from '../support/csv-reader.js';
import { assertError, authorize, getAs, registerNamed } from '../support/instance-fixture.js';
import { labSatellite, TAG_A, TAG_B, type Device, type Fixture } from '../support/satellite-fixture.js';

const BASE = '/accounts/Acme/product-instances';
const AWKWARD = ['core "A", rack 3', 'line1\nline2', 'crlf\r\nhost', '=HYPERLINK("http://x")', 'plain-host'];

describe('GET /accounts/{a}/product-instances/{id}: one product instance', () => {
  let f: Fixture;
  let viewer: string;
  let device: Device;
  let registeredAt: number;
  beforeAll(async () => {
    f = await labSatellite();
    viewer = await bearerFor(f.app, { role: 'viewer' });
    registeredAt = f.clock.now();
    device = await registerNamed(f, { hostname: 'edge-1' });
    f.clock.advance(5000);
    await authorize(f, device, [{ tag: TAG_A, count: 3 }, { tag: TAG_B, count: 5 }, { tag: 'regid.unknown', count: 1 }]);
  });
  afterAll(() => f.app.close());

  it('shows UDI, VA, certificate serial and not-after, times, states and per-tag usage', async () => {
    const res = await getAs(f, `${BASE}/${device.instanceId}`, viewer);
    assert.equal(res.status, 200, res.text);
    const pi = res.body.productInstance;
    assert.equal(pi.id, device.instanceId);
    assert.equal(pi.hostname, 'edge-1');
    assert.deepEqual(pi.udi, { pid: device.udi.udi_pid, serialNumber: device.udi.udi_serial_number, vid: 'V02', hostIdentifier: null });
    assert.equal(pi.virtualAccount, 'Lab');
    assert.equal(pi.registrationState, 'REGISTERED');
    assert.equal(pi.authorizationState, 'AUTHORIZED', 'one short report is not yet out of compliance (5-report rule)');
    assert.equal(pi.registeredAt, new Date(registeredAt).toISOString());
    assert.equal(pi.lastContactAt, new Date(registeredAt + 5000).toISOString());
    assert.equal(pi.authorizationExpiresAt, new Date(registeredAt + 5000 + 90 * MS_PER_DAY).toISOString());
    assert.equal(pi.exportControl, 'Allowed');
    assert.equal(pi.certificate.serial, device.keyId);
    assert.equal(pi.certificate.notAfter, new Date(registeredAt - 3_600_000 + 365 * MS_PER_DAY + 3_600_000).toISOString());
    assert.equal(pi.certificate.revokedAt, null);
    assert.equal(pi.certificateNotAfter, pi.certificate.notAfter);
    assert.deepEqual(pi.entitlements.map((e: Record<string, unknown>) => [e.tag, e.displayName, e.requested, e.authorized, e.status]), [
      [TAG_A, 'UCM Enhanced', 3, 3, 'AUTHORIZED'],
      [TAG_B, 'DNA Advantage', 5, 0, 'OUT_OF_COMPLIANCE'],
      ['regid.unknown', null, 1, 0, 'INVALID_TAG'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    assert.deepEqual(pi.alerts, []);
  });

  it('answers 404 for an unknown id and for an instance of another account', async () => {
    assertError(await getAs(f, `${BASE}/00000000-0000-4000-8000-000000000000`, viewer), 404, 'NOT_FOUND', /product instance/);
    f.app.seed.account('Other');
    f.app.seed.virtualAccount('Other', 'Main');
    const other = await registerNamed(f, { token: f.app.seed.token('Other', 'Main').secret });
    assertError(await getAs(f, `${BASE}/${other.instanceId}`, viewer), 404, 'NOT_FOUND');
    assert.equal((await getAs(f, `/accounts/Other/product-instances/${other.instanceId}`, viewer)).status, 200);
  });

  it('keeps a scoped principal out of other accounts with 403', async () => {
    const scoped = await bearerFor(f.app, { role: 'viewer', accountScope: ['Other'] });
    assertError(await getAs(f, `${BASE}/${device.instanceId}`, scoped), 403, 'FORBIDDEN');
    assertError(await getAs(f, `${BASE}/${device.instanceId}`, null), 403, 'FORBIDDEN');
  });
});

interface ListedInstance {
  id: string; hostname: string | null; ipAddress: string | null; productTag: string; virtualAccount: string;
  udi: { pid: string; serialNumber: string; vid: string | null; hostIdentifier: string | null };
  registrationState: string; authorizationState: string; registeredAt: string; lastContactAt: string;
  authorizedAt: string | null; authorizationExpiresAt: string | null; certificateNotAfter: string | null;
}
const col = (header: string[] | undefined, name: string): number => header?.indexOf(name) ?? -1;

describe('GET /accounts/{a}/product-instances/export.csv', () => {
  let f: Fixture;
  let viewer: string;
  let devices: Device[];
  beforeAll(async () => {
    f = await labSatellite();
    viewer = await bearerFor(f.app, { role: 'viewer' });
    devices = [];
    for (const hostname of AWKWARD) {
      f.clock.advance(1000);
      devices.push(await registerNamed(f, { hostname }));
    }
  });
  afterAll(() => f.app.close());

  it('exports every matching instance as RFC 4180 CSV that parses back, hostnames intact', async () => {
    const res = await getAs(f, `${BASE}/export.csv?sort=lastContact`, viewer);
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="?product-instances-Acme\.csv"?$/);
    assert.equal(res.headers['x-total-count'], String(AWKWARD.length));
    assert.match(res.text, /\r\n$/);
    const [header, ...rows] = parseCsv(res.text);
    assert.ok(header);
    assert.deepEqual(header.slice(0, 5), ['id', 'hostname', 'ip_address', 'udi_pid', 'udi_serial_number']);
    const col = (name: string): number => header.indexOf(name);
    assert.equal(rows.length, AWKWARD.length);
    assert.deepEqual(rows.map((r) => r[col('id')]), devices.map((d) => d.instanceId));
    assert.deepEqual(rows.map((r) => r[col('hostname')]), [...AWKWARD.slice(0, 3), `'${AWKWARD[3] ?? ''}`, AWKWARD[4]]);
    assert.deepEqual(rows.map((r) => r[col('virtual_account')]), AWKWARD.map(() => 'Lab'));
    assert.deepEqual(rows.map((r) => r[col('certificate_serial')]), devices.map((d) => d.keyId));
    assert.ok(rows.every((r) => r.length === header.length));
  });

  it('writes each instance as the list shows it, column by column', async () => {
    const [header, ...rows] = parseCsv((await getAs(f, `${BASE}/export.csv?sort=lastContact`, viewer)).text);
    const list = (await getAs(f, `${BASE}?sort=lastContact&limit=1000`, viewer)).body as { productInstances: ListedInstance[] };
    // The CSV defuses formulas with an apostrophe; the list gives the text as the device sent it.
    const asCell = (v: string | null): string => (v === null ? '' : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    const expected = list.productInstances.map((p, i) => [
      p.id, p.hostname, p.ipAddress, p.udi.pid, p.udi.serialNumber, p.udi.vid, p.udi.hostIdentifier, p.productTag, p.virtualAccount,
      p.registrationState, p.authorizationState, p.registeredAt, p.lastContactAt, p.authorizedAt, p.authorizationExpiresAt,
      devices[i]?.keyId ?? null, p.certificateNotAfter,
    ].map(asCell));
    assert.deepEqual(header, ['id', 'hostname', 'ip_address', 'udi_pid', 'udi_serial_number', 'udi_vid', 'host_identifier', 'product_tag',
      'virtual_account', 'registration_state', 'authorization_state', 'registered_at', 'last_contact_at', 'authorized_at',
      'authorization_expires_at', 'certificate_serial', 'certificate_not_after']);
    assert.equal(rows.length, AWKWARD.length);
    assert.deepEqual(rows, expected);
    assert.ok(rows.every((r) => r[col(header, 'certificate_not_after')] !== ''), 'every device here has a certificate');
  });

  it('applies the list filters, paging included', async () => {
    const res = await getAs(f, `${BASE}/export.csv?search=line&limit=1`, viewer);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-total-count'], '1');
    const rows = parseCsv(res.text).slice(1);
    assert.deepEqual(rows.map((r) => r[0]), [devices[1]?.instanceId]);
    assertError(await getAs(f, `${BASE}/export.csv?limit=100001`, viewer), 400, 'VALIDATION_FAILED', /query\.limit/);
    assertError(await getAs(f, `${BASE}/export.csv`, null), 403, 'FORBIDDEN');
  });
});
