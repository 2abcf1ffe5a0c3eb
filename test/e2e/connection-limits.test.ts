import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const IDLE_SOCKETS = 300;
const PER_ADDRESS = 100; // the default of SATELLITE_MAX_CONNECTIONS_PER_ADDRESS
const FD_LIMIT = 256;

/** Resolves once `count` of the sockets have closed: the satellite dropped them. */
function closes(sockets: Socket[], count: number): Promise<void> {
  let closed = sockets.filter((s) => s.closed).length;
  return new Promise((resolve) => {
    if (closed >= count) resolve();
    for (const socket of sockets) {
      if (socket.closed) continue;
      socket.once('close', () => {
        closed += 1;
        if (closed === count) resolve();
      });
    }
  });
}

function healthz(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // A refusal would otherwise hang until the test's timeout; the request's own timeout makes it an error.
    const req = get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 15_000, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('timeout', () => req.destroy(new Error('/healthz did not answer')));
    req.once('error', reject);
  });
}

// The finding: with a low file-descriptor limit, idle sockets from one address took every descriptor and
// the satellite stopped answering anyone. A real process, started as the finding did, with `ulimit -n`.
describe('connection limits of the HTTPS server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-conn-'));
  let server: ChildProcess;
  let port = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const env = {
      ...process.env, SATELLITE_DATA_DIR: join(dir, 'data'), SATELLITE_PORT: '0', SATELLITE_HOST: '127.0.0.1',
      SATELLITE_HOSTNAMES: 'localhost,127.0.0.1', SATELLITE_LOG_LEVEL: 'warn',
      SATELLITE_TLS_HANDSHAKE_TIMEOUT_SECONDS: '2', SATELLITE_HEADERS_TIMEOUT_SECONDS: '1', SATELLITE_KEEP_ALIVE_TIMEOUT_SECONDS: '1',
    };
    const command = `ulimit -n ${FD_LIMIT} && exec "${process.execPath}" --import tsx scripts/satellite.ts serve`;
    server = spawn('bash', ['-c', command], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /serving on https:\/\/[^\s]+:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      server.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${out}`)));
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${IDLE_SOCKETS} idle sockets from one address (fd limit ${FD_LIMIT}): /healthz still answers others, the excess is dropped, then the handshake timeout drops the rest`, async () => {
    // Linux routes all of 127/8 to loopback: the idle sockets come from 127.0.0.2, the health check from 127.0.0.1.
    await Promise.all(Array.from({ length: IDLE_SOCKETS }, () => new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      socket.on('error', () => undefined);
      sockets.push(socket);
      socket.once('connect', () => resolve());
      socket.once('close', () => resolve());
    })));
    assert.equal(await healthz(port), 200);
    await closes(sockets, IDLE_SOCKETS - PER_ADDRESS);
    // Nothing was ever sent on them, so the TLS handshake timeout (2 s here) ends the ones that were kept.
    await closes(sockets, IDLE_SOCKETS);
    assert.equal(await healthz(port), 200);
  }, 60_000);

  it('answers headers that never finish with 408 and closes (headers timeout, 1 s here)', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    let answer = '';
    socket.on('data', (chunk: Buffer) => { answer += chunk.toString(); });
    socket.once('secureConnect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: '));
    await new Promise((resolve) => socket.once('close', resolve));
    assert.match(answer, /^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection (keep-alive timeout, 1 s here)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const closed = await new Promise<boolean>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, agent }, (res) => {
        assert.equal(res.headers['keep-alive'], 'timeout=1');
        res.resume();
      });
      req.once('socket', (socket) => socket.once('close', () => resolve(true)));
      req.once('error', reject);
    });
    agent.destroy();
    assert.equal(closed, true);
  });
});
