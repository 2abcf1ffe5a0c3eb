import { readFileSync } from 'node:fs';
import { runPaced } from './paced-load.js';

/**
 * The paced generator in a process of its own (paced-load-process.ts starts it): the bench's own process holds
 * 25,000 devices, their keys and every presigned run, and its garbage collections stopped the 1 ms scheduler for
 * up to ~120 ms; requests due meanwhile went out late and counted as server latency. Here the heap holds one
 * run's bodies and nothing else.
 */
interface ChildSpec {
  port: number; rootCaPem: string; path: string; bodiesFile: string; rate: number; connections: number;
  maxSeconds?: number; marks: string[];
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as ChildSpec;
const bodies = readFileSync(spec.bodiesFile, 'utf8').split('\n').filter((line) => line !== '');
let granted = 0;
let responseBytes = 0;
const result = await runPaced({
  target: { port: spec.port, rootCaPem: spec.rootCaPem }, path: spec.path, bodies, rate: spec.rate, connections: spec.connections,
  ...(spec.maxSeconds === undefined ? {} : { maxSeconds: spec.maxSeconds }),
  onResponse: (status, body) => {
    if (status === 200 && spec.marks.every((mark) => body.includes(mark))) granted += 1;
    responseBytes = body.length;
  },
});
process.stdout.write(`${JSON.stringify({ ...result, granted, responseBytes })}\n`);
