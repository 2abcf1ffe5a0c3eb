import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { pino } from 'pino';
import { openSqliteUpstreamStore } from '../../../db/upstream/sqlite-upstream-unit-of-work.js';
import { ManualClock, MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { uuidGenerator } from '../../../licensing/shared/id-generator.js';
import { parseOrdersFile } from '../../../sync/upstream/orders-file-reader.js';
import { openReferenceUpstream } from '../../../sync/upstream/reference-upstream.js';
import { startUpstreamServer } from '../../../sync/upstream/upstream-server.js';

const dir = mkdtempSync(join(tmpdir(), 'upstream-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('upstream server', () => {
  it('answers /healthz and /upstream/v1/info on its own port, retires stale satellites at start, and shuts down', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const upstream = openReferenceUpstream({ dataDir: join(dir, 'up'), clock, newId: uuidGenerator, openStore: openSqliteUpstreamStore });
    upstream.orders.load(parseOrdersFile(JSON.stringify({ format: 'upstream-orders', version: 1, lines: [{
      order_line_id: 'L1', smart_account: 'Acme', virtual_account: 'Default', display_name: 'UCM Enhanced', quantity: 1,
      tag: 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21', license_type: 'PERPETUAL', start_date: '2026-01-01',
    }] }), { source: 'orders.json', format: 'json' }));
    const stale = upstream.issueRegistration({ name: 'Stale', accounts: [{ account: 'Acme' }] }).satellite;
    clock.advance(90 * MS_PER_DAY);
    const running = await startUpstreamServer(upstream, { port: 0, logger: pino({ level: 'silent' }) });
    try {
      assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${running.url}/healthz`);
      assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
      const info = await fetch(`${running.url}/upstream/v1/info`);
      assert.deepEqual(await info.json(), {
        upstream_id: upstream.identity.upstreamId, public_key_fingerprint: upstream.identity.fingerprint, public_key: upstream.identity.publicKeyPem,
      });
      // The sync route is mounted; a body that is not a zip is refused by media type (request-exchange.test.ts covers the rest).
      const notZip = await fetch(`${running.url}/upstream/v1/sync`, { method: 'POST' });
      assert.equal(notZip.status, 415);
      assert.deepEqual(await notZip.json(), { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'the request bundle must be sent as application/zip' } });
      assert.equal(upstream.registry.find(stale.id).retiredAt, clock.now(), 'the retirement job ran at start');
    } finally {
      await running.close();
      upstream.close();
    }
    await assert.rejects(fetch(`${running.url}/healthz`));
  });
});
