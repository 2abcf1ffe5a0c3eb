import { generateKeyPairSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Alert } from '../../licensing/alerts/alert.js';
import { SYNC_ALERT_TARGET, SyncRunner, type RetryPolicy } from '../../sync/connected/sync-runner.js';
import { UpstreamClient } from '../../sync/connected/upstream-client.js';
import { bindTestUpstream, upstreamLine, writeResponse, type TestUpstream } from './response-bundle-kit.js';
import { labSatellite, post, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from './satellite-fixture.js';

export type UpstreamBehaviour = 'valid' | 'slow' | 'garbage' | 'forged' | 'stale' | 'conflict' | 'bad_request' | 'server_error';

/** A fake upstream on a loopback port: answers POST /upstream/v1/sync as `behaviour` says. */
export interface FakeUpstream {
  url: string;
  behaviour: UpstreamBehaviour;
  requests: number;
  /** Ends the answers held by 'slow'. */
  releaseSlow(): void;
  /** Resolves once a request is being held by 'slow'. */
  whenHeld(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeUpstream(f: Fixture, upstream: TestUpstream): Promise<FakeUpstream> {
  let sequence = 0;
  const held: ServerResponse[] = [];
  const waiting: (() => void)[] = [];
  const fake: FakeUpstream = {
    url: '', behaviour: 'valid', requests: 0,
    releaseSlow: () => {
      for (const res of held.splice(0)) res.destroy();
    },
    whenHeld: () => (held.length > 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))),
    close: () => new Promise((resolve) => {
      fake.releaseSlow();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for await (const chunk of req) void chunk;
    fake.requests += 1;
    switch (fake.behaviour) {
      case 'valid': {
        sequence += 1;
        const file = await writeResponse(f.app, upstream, { sequence, lines: [upstreamLine('L1', { quantity: 5 })] });
        res.writeHead(200, { 'content-type': 'application/zip' });
        createReadStream(file).pipe(res);
        return;
      }
      case 'forged':
      case 'stale': {
        // A well-formed bundle signed by a stranger's key, or the upstream's own bundle replaying an old sequence.
        const file = await writeResponse(f.app, upstream, fake.behaviour === 'forged'
          ? { sequence: sequence + 1, lines: [], signer: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }
          : { sequence, lines: [] });
        res.writeHead(200, { 'content-type': 'application/zip' });
        createReadStream(file).pipe(res);
        return;
      }
      case 'slow':
        held.push(res);
        for (const resolve of waiting.splice(0)) resolve();
        return;
      case 'garbage': res.writeHead(200, { 'content-type': 'application/zip' }).end(Buffer.from('PK\u0003\u0004 this is not a zip at all')); return;
      case 'conflict': json(res, 409, 'SEQUENCE_CONFLICT', 'request sequence 6 was already answered'); return;
      case 'bad_request': json(res, 400, 'VALIDATION_FAILED', 'the request bundle is signed by an unknown satellite'); return;
      case 'server_error': json(res, 500, 'INTERNAL', 'database unavailable'); return;
    }
  };
  const server: Server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function json(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
}

/** A loopback port with nothing listening: bound, then closed. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface ConnectedLab {
  f: Fixture;
  upstream: TestUpstream;
  device: Device;
  delays: number[];
  runner: SyncRunner;
  pointAt(url: string): void;
  authorizeStatus(): Promise<string | undefined>;
  activeAlert(type: string): Alert | undefined;
  cleanup(): Promise<void>;
}

export const TEST_RETRY: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 3_600_000, maxAttempts: 3 };

/** A lab satellite bound in connected mode, a registered device, and a runner with recorded (not slept) delays. */
export async function connectedLab(options: { timeoutMs?: number } = {}): Promise<ConnectedLab> {
  const f = await labSatellite();
  const upstream = await bindTestUpstream(f.app);
  const device = await registerDevice(f);
  const s = f.app.satellite;
  const delays: number[] = [];
  const runner = new SyncRunner({
    uow: s.uow, clock: s.clock, alerts: s.alerts, logger: pino({ level: 'silent' }),
    client: new UpstreamClient({ logger: pino({ level: 'silent' }), timeoutMs: options.timeoutMs ?? 5_000 }),
    exportRequest: async (outFile) => {
      await s.requestExporter.exportRequestBundle({ outFile });
    },
    importResponse: (file, actor) => s.responseImporter.importFile(file, actor),
    delay: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    retry: TEST_RETRY,
    nextScheduledRun: () => s.clock.now() + 86_400_000,
  });
  return {
    f, upstream, device, delays, runner,
    pointAt: (url) => s.uow.write((r) => {
      const binding = r.satelliteBinding.findBinding();
      if (!binding) throw new Error('not bound');
      r.satelliteBinding.saveBinding({ ...binding, mode: 'connected', upstreamUrl: url });
    }),
    authorizeStatus: async () => {
      const answer = await post(f.app, signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count: 1 }] }));
      return answer.message?.body.authorization?.status;
    },
    activeAlert: (type) => s.uow.read((r) => r.alertCauses.activeAlert(type, SYNC_ALERT_TARGET)),
    cleanup: async () => {
      await upstream.cleanup();
      f.app.close();
    },
  };
}
