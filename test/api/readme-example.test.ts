import assert from 'node:assert/strict';
import { it } from 'vitest';
import request from 'supertest';
// The README imports these from 'license-satellite' and 'license-satellite/agent'; the flow is the same.
import { createSatelliteApp, ManualClock } from '../../server/index.js';
import { InProcessTransport, SmartAgent } from '../../agent/index.js';

const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';

it('runs the README embedding example: a device registers and authorizes against createSatelliteApp', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const app = await createSatelliteApp({ clock });
  app.seed.account('Acme');
  app.seed.virtualAccount('Acme', 'Lab');
  app.seed.licenseLine('Acme', 'Lab', { tag: UCM, displayName: 'UCM Enhanced', quantity: 10 });
  const { secret } = app.seed.token('Acme', 'Lab', { maxUses: 5 });

  const agent = await SmartAgent.open({
    identity: {
      udi: { pid: 'C9300-24UX', serial: 'FCW2134L00C' },
      productTag: 'regid.2017-05.com.cisco.C9300,v1_727af1d9-6c39-4444-b301-863f81445b72',
    },
    transport: new InProcessTransport(async (path, body, contentType) => {
      const res = await request(app).post(path).set('content-type', contentType).send(body);
      return { status: res.status, text: res.text };
    }),
    clock: () => clock.now(),
  });
  const registered = await agent.register(secret);
  assert.equal(registered.status, 'OK');
  clock.advance(60_000);
  const authorized = await agent.authorize([{ tag: UCM, count: 2 }]);
  assert.equal(authorized.status, 'OK');
  assert.equal(authorized.status === 'OK' ? authorized.body.authorization.status : null, 'AUTHORIZED');
  assert.equal(agent.lastExchange?.signatureVerified, true);
  app.close();
});
