import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import { registerDeviceCommands } from '../../../scripts/cli/device-commands.js';
import { FakeSatellite } from './fake-satellite.js';

interface Run {
  out: string[];
  err: string[];
  failed: boolean;
}

async function cli(...args: string[]): Promise<Run> {
  const result: Run = { out: [], err: [], failed: false };
  const program = new Command('satellite').exitOverride();
  registerDeviceCommands(program, {
    out: (line) => result.out.push(line),
    err: (line) => result.err.push(line),
    fail: () => {
      result.failed = true;
    },
  });
  await program.parseAsync(['device', ...args], { from: 'user' });
  return result;
}

describe('satellite device commands', () => {
  let satellite: FakeSatellite;
  let server: Server;
  let base: string;
  let directory: string;

  beforeAll(async () => {
    satellite = await FakeSatellite.create();
    satellite.now = Date.now();
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void satellite.send(request.url ?? '/', Buffer.concat(chunks).toString('utf8'), request.headers['content-type'] ?? '').then((reply) => {
          response.writeHead(reply.status);
          response.end(reply.text);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    directory = await mkdtemp(join(tmpdir(), 'device-cli-'));
  });
  afterAll(async () => {
    server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('walks a device through its life over Call Home, remembering URL and identity', async () => {
    const state = join(directory, 'callhome');
    const failed = await cli('register', '--url', `${base}/Transportgateway/services/DeviceRequestHandler`, '--token', 'nope', '--state', state);
    assert.equal(failed.failed, true);
    assert.deepEqual(failed.err, ['FAILED TOKEN_INVALID: The token is not known']);
    const serial = (JSON.parse(await readFile(join(state, 'state.json'), 'utf8')) as { udi: { serial: string } }).udi.serial;
    assert.match(serial, /^FCW\d{4}[A-Z0-9]{4}$/);

    const registered = await cli('register', '--url', `${base}/Transportgateway/services/DeviceRequestHandler`, '--token', 'good-token', '--state', state, '--hostname', 'sw-1');
    assert.equal(registered.failed, false, registered.err.join('\n'));
    assert.ok(registered.out.includes('status: OK'));
    assert.ok(registered.out.includes('virtual account: Campus'));
    assert.equal((JSON.parse(await readFile(join(state, 'state.json'), 'utf8')) as { udi: { serial: string } }).udi.serial, serial);

    const authorized = await cli('authorize', '--state', state, '--tag', 'regid.a,1.0_x=3', '--tag', 'bad.tag=1');
    assert.equal(authorized.failed, false, authorized.err.join('\n'));
    assert.ok(authorized.out.some((line) => /^authorization: AUTHORIZED/.test(line)));
    assert.ok(authorized.out.includes('  AUTHORIZED 3 regid.a,1.0_x (Name of regid.a,1.0_x)'));
    assert.ok(authorized.out.some((line) => line.startsWith('  INVALID_TAG 1 bad.tag')));

    const json = await cli('renew', '--state', state, '--json');
    assert.equal((JSON.parse(json.out.join('\n')) as { type: string }).type, 'RENEW_ID_CERT_RESPONSE');

    const status = await cli('status', '--state', state);
    assert.ok(status.out.includes(`udi: PID:C9300-24UX SN:${serial}`));
    assert.ok(status.out.some((line) => line.startsWith('registration: REGISTERED')));

    assert.equal((await cli('deregister', '--state', state)).failed, false);
    assert.ok((await cli('status', '--state', state)).out.includes('registration: UNREGISTERED'));
    const notRegistered = await cli('authorize', '--state', state);
    assert.equal(notRegistered.failed, true);
    assert.match(notRegistered.err[0] ?? '', /^AgentStateError: The device is not registered/);
  });

  it('registers over JSON with an RSA key and reports bad input and unreachable satellites', async () => {
    const state = join(directory, 'json');
    const registered = await cli('register', '--url', `${base}/SmartTransport`, '--token', 'good-token', '--state', state, '--serial', 'FCW2222L0AA', '--rsa');
    assert.equal(registered.failed, false, registered.err.join('\n'));
    assert.ok((await cli('status', '--state', state)).out.includes('key: RS256'));

    const badTag = await cli('authorize', '--state', state, '--tag', 'no-count');
    assert.equal(badTag.failed, true);
    assert.match(badTag.err[0] ?? '', /expected <tag>=<count>/);

    await writeFile(join(directory, 'root.pem'), satellite.pki.root.pem);
    const pinnedElsewhere = await cli('register', '--url', `${base}/SmartTransport`, '--token', 'good-token', '--state', join(directory, 'other'),
      '--pin-root', join(directory, 'root.pem'));
    assert.equal(pinnedElsewhere.failed, false, pinnedElsewhere.err.join('\n'));

    const unreachable = await cli('authorize', '--state', state, '--url', 'http://127.0.0.1:1/SmartTransport');
    assert.equal(unreachable.failed, true);
    assert.match(unreachable.err[0] ?? '', /^DeviceTransportError: Cannot reach the satellite/);
    const noUrl = await cli('register', '--token', 't', '--state', join(directory, 'empty'));
    assert.match(noUrl.err[0] ?? '', /No satellite URL/);
    await assert.rejects(stat(join(directory, 'empty')), 'nothing is written before the satellite is known');
  });
});
