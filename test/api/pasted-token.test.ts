import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { labSatellite, registerDevice, type Fixture } from '../support/satellite-fixture.js';

describe('a registration token pasted with whitespace around it', () => {
  let f: Fixture;
  beforeAll(async () => { f = await labSatellite(); });
  afterAll(() => f.app.close());

  it('registers: spaces, tabs and a newline around the token are not part of it', async () => {
    const device = await registerDevice(f, { token: ` \t${f.token.secret}\n` });
    assert.ok(device.instanceId);
  });
});
