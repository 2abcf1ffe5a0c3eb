import { authorizeEnvelope, registerEnvelope, type BenchDevice, type UnregisteredDevice } from './bench-devices.js';
import { oneShotPost, runLoad, type LoadResult } from './bench-load.js';
import type { AuthorizeFigures, RegisterFigures } from './bench-report.js';
import { databaseCounts, sampleAuthorize, type TlsTarget } from './bench-verify.js';

export interface PhaseContext {
  target: TlsTarget;
  url: string;
  databaseFile: string;
  signingCertificatePem: string;
  connections: number;
  durationSeconds: number;
}

const TRANSPORT_PATH = '/SmartTransport';
// The response payload is a JSON string inside the envelope, so its quotes arrive escaped.
const OK_MARK = '\\"status\\":\\"OK\\"';
const AUTHORIZED_MARK = '\\"status\\":\\"AUTHORIZED\\"';
// AUTHORIZE cannot outrun a route that does nothing; this margin covers run-to-run noise.
const PRESIGN_MARGIN = 1.15;
const PRESIGN_CAP = 400_000;
export const WARMUP_REQUESTS = 2_000;
const SAMPLE_REQUESTS = 20;

export function runBaseline(ctx: PhaseContext): Promise<LoadResult> {
  return runLoad({
    url: ctx.url, connections: ctx.connections, durationSeconds: ctx.durationSeconds,
    requests: [{ method: 'GET', path: '/healthz' }],
  });
}

/** Signs `count` distinct AUTHORIZE requests up front, rotating over the devices from `firstDevice` on. */
export function presignAuthorize(devices: BenchDevice[], count: number, firstDevice: number): string[] {
  const bodies = new Array<string>(count);
  for (let i = 0; i < count; i += 1) {
    const device = devices[(firstDevice + i) % devices.length];
    if (!device) throw new Error('no devices to sign with');
    bodies[i] = authorizeEnvelope(device, Date.now());
  }
  return bodies;
}

export function presignCount(baselineRps: number, durationSeconds: number, connections: number): number {
  return Math.min(PRESIGN_CAP, Math.ceil(Math.max(baselineRps, 1000) * durationSeconds * PRESIGN_MARGIN) + connections * 2);
}

/** A short unmeasured run so JIT compilation and first SQLite page reads don't land in the figures. */
export async function warmUpAuthorize(ctx: PhaseContext, devices: BenchDevice[]): Promise<void> {
  const feeder = oneShotPost(TRANSPORT_PATH, presignAuthorize(devices, WARMUP_REQUESTS, 0));
  await runLoad({ url: ctx.url, connections: ctx.connections, amount: WARMUP_REQUESTS, requests: [feeder.request] });
}

export async function runAuthorize(ctx: PhaseContext, devices: BenchDevice[], presigned: string[]): Promise<AuthorizeFigures> {
  let granted = 0;
  const feeder = oneShotPost(TRANSPORT_PATH, presigned, (status, body) => {
    if (status === 200 && body.includes(OK_MARK) && body.includes(AUTHORIZED_MARK)) granted += 1;
  });
  const ids = devices.map((d) => d.instanceId);
  const before = databaseCounts(ctx.databaseFile, ids).answeredMessages;
  const result = await runLoad({
    url: ctx.url, connections: ctx.connections, durationSeconds: ctx.durationSeconds, amount: presigned.length,
    requests: [feeder.request],
  });
  // Requests cut off when the run stopped may still be committing; let them land before counting.
  await settle();
  const processed = databaseCounts(ctx.databaseFile, ids).answeredMessages - before;
  const sample = await sampleAuthorize(ctx.target, ctx.signingCertificatePem, devices, SAMPLE_REQUESTS);
  return { ...result, presigned: presigned.length, sent: feeder.used(), grantedResponses: granted, processedInDatabase: processed, sample };
}

export async function runRegister(ctx: PhaseContext, pending: UnregisteredDevice[], tokenSecret: string, connections: number): Promise<RegisterFigures> {
  const bodies = pending.map((device) => registerEnvelope(device, tokenSecret, Date.now()));
  let ok = 0;
  let lastAnswerAt = 0;
  const feeder = oneShotPost(TRANSPORT_PATH, bodies, (status, body) => {
    lastAnswerAt = performance.now();
    if (status === 200 && body.includes(OK_MARK)) ok += 1;
  });
  const before = databaseCounts(ctx.databaseFile).registeredInstances;
  const startedAt = performance.now();
  const result = await runLoad({ url: ctx.url, connections, amount: bodies.length, requests: [feeder.request] });
  // autocannon's own rate averages 1 s samples, and an amount-bounded run ends with a partial one.
  const seconds = Math.max(lastAnswerAt - startedAt, 1) / 1000;
  await settle();
  const added = databaseCounts(ctx.databaseFile).registeredInstances - before;
  return {
    count: bodies.length, connections, requestsPerSecond: ok / seconds, seconds, okResponses: ok,
    non2xx: result.non2xx, errors: result.errors, latencyMs: result.latencyMs, instancesAdded: added,
  };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500));
}
