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
    return {
      ...micro, expressHttpsMicros, expressRequests: load.completed, expressP99Ms: load.latencyMs.p99,
      totalMicros: expressHttpsMicros + micro.verifyMicros + micro.signMicros + micro.keyImportMicros + micro.transactionMicros,
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
