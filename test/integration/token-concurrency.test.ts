import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import { assertSignedBySatellite, labSatellite, type Fixture } from '../support/satellite-fixture.js';
import { openEnvelope } from '../support/test-device.js';
import { registerRequest, snapshot, type RegisterRequest } from '../support/device-probe.js';

const DEVICES = 100;
const MAX_USES = 10;

describe('token max uses under concurrent REGISTERs over real HTTP', () => {
  let f: Fixture;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    f = await labSatellite();
    server = createServer(f.app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DEVICE_TRANSPORT_PATHS.json}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    f.app.close();
  });

  it(`grants exactly ${MAX_USES} of ${DEVICES} simultaneous registrations and refuses the rest with TOKEN_EXHAUSTED`, async () => {
    const token = f.app.seed.token('Acme', 'Lab', { maxUses: MAX_USES });
    // Keys and CSRs first, so the requests really race each other at the satellite.
    const requests: RegisterRequest[] = [];
    for (let i = 0; i < DEVICES; i += 1) requests.push(await registerRequest(f, { token: token.secret }));
    assert.equal(new Set(requests.map((r) => r.udi.udi_serial_number)).size, DEVICES);
    const start = snapshot(f, token.token.id);

    const answers = await Promise.all(requests.map(async (r) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.text });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assertSignedBySatellite(f.app, text);
      const { message } = openEnvelope(text);
      assert.equal(message.in_reply_to, r.messageId);
      return message;
    }));

    const ok = answers.filter((m) => m.status === 'OK');
    const exhausted = answers.filter((m) => m.status === 'FAILED' && m.error?.code === 'TOKEN_EXHAUSTED');
    assert.equal(ok.length, MAX_USES);
    assert.equal(exhausted.length, DEVICES - MAX_USES);
    assert.equal(new Set(ok.map((m) => m.product_instance_id)).size, MAX_USES);

    const end = snapshot(f, token.token.id);
    assert.equal(end.tokenUses, MAX_USES);
    assert.equal(end.registered, start.registered + MAX_USES);
    assert.equal(end.instanceRows, start.instanceRows + MAX_USES);
    assert.equal(end.certificateRows, start.certificateRows + MAX_USES, 'a refused registration stores no certificate');
  });
});
