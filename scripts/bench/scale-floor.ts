import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PKI_FILES } from '../../server/pki/pki-file-store.js';
import { oneShotPost, runLoad } from './bench-load.js';
import { processCpuSeconds } from './bench-server.js';
import type { MicroCosts } from './scale-floor-child.js';

const CHILD = fileURLToPath(new URL('./scale-floor-child.ts', import.meta.url));

export interface FloorFigures extends MicroCosts {
  /** Server CPU per bare Express 5 HTTPS POST of the same sizes, at the same offered rate. */
  expressHttpsMicros: number;
  expressRequests: number;
  expressP99Ms: number;
  totalMicros: number;
  /** Each measurement's total, in the order taken (meanFloor: just before and just after the fixed-rate run). */
  totals: number[];
}

/**
 * The mean of floors measured around one run. This machine's speed drifts by 10-25 % within minutes (the
 * yardstick), so a floor taken only after the run compared the run with a faster or slower machine than its own
 * (2026-12-06: CPU / floor 1.71 at 10k where the yardstick went from 24.8 to 21.8 µs). One before and one after
 * bracket the run; their mean is the floor, and both totals are reported.
 */
export function meanFloor(floors: FloorFigures[]): FloorFigures {
  const first = floors[0];
  if (!first) throw new Error('meanFloor needs at least one floor');
  const mean = (pick: (f: FloorFigures) => number): number => floors.reduce((sum, f) => sum + pick(f), 0) / floors.length;
  return {
    verifyMicros: mean((f) => f.verifyMicros), signMicros: mean((f) => f.signMicros), keyImportMicros: mean((f) => f.keyImportMicros),
    derKeyImportMicros: mean((f) => f.derKeyImportMicros), transactionMicros: mean((f) => f.transactionMicros),
    requestBytes: first.requestBytes, responseBytes: first.responseBytes, expressHttpsMicros: mean((f) => f.expressHttpsMicros),
    expressRequests: floors.reduce((sum, f) => sum + f.expressRequests, 0), expressP99Ms: Math.max(...floors.map((f) => f.expressP99Ms)),
    totalMicros: mean((f) => f.totalMicros), totals: floors.flatMap((f) => f.totals),
  };
}

/**
 * Measures the floor in a separate process while the satellite is idle: autocannon against a bare Express
 * HTTPS route at the AUTHORIZE rate, then the per-operation costs (scale-floor-child.ts).
 */
export async function measureFloor(options: {
  dataDir: string; databaseFile: string; bodies: string[]; responseBytes: number; rate: number; seconds: number; connections: number;
}): Promise<FloorFigures> {
  const pki = join(options.dataDir, 'pki');
  const child = fork(CHILD, [join(pki, PKI_FILES.tlsCertificatePem), join(pki, PKI_FILES.tlsKeyPem), String(options.responseBytes), options.databaseFile], {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    const port = await readyPort(child);
    const pid = child.pid ?? 0;
    const url = `https://127.0.0.1:${port}`;
    // Warm-up, unmeasured: JIT and TLS session setup.
    await runLoad({ url, connections: options.connections, amount: Math.min(2000, options.bodies.length), requests: [oneShotPost('/SmartTransport', options.bodies).request] });
    const feeder = oneShotPost('/SmartTransport', options.bodies);
    const before = processCpuSeconds(pid) ?? 0;
    const amount = Math.min(options.bodies.length, Math.round(options.rate * options.seconds));
    const load = await runLoad({ url, connections: options.connections, amount, overallRate: options.rate, requests: [feeder.request] });
    const cpu = (processCpuSeconds(pid) ?? 0) - before;
    const micro = await new Promise<MicroCosts>((resolve) => {
      child.once('message', (costs: MicroCosts) => resolve(costs));
      child.send({ kind: 'micro' });
    });
    const expressHttpsMicros = load.completed > 0 ? (cpu * 1e6) / load.completed : 0;
    const totalMicros = expressHttpsMicros + micro.verifyMicros + micro.signMicros + micro.keyImportMicros + micro.transactionMicros;
    return {
      ...micro, expressHttpsMicros, expressRequests: load.completed, expressP99Ms: load.latencyMs.p99,
      totalMicros, totals: [totalMicros],
    };
  } finally {
    child.kill('SIGTERM');
  }
}

function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const match = /FLOOR_READY (\d+)/.exec(text);
      if (match?.[1]) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the floor process exited with ${String(code)} before it was ready`)));
  });
}
