import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PacedResult, PacedSpec } from './paced-load.js';

const CHILD = fileURLToPath(new URL('./paced-load-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface PacedProcessResult extends PacedResult {
  /** Answers with status 200 holding every mark. */
  granted: number;
  /** Length of the last answer. */
  responseBytes: number;
}

/** runPaced in a child process (paced-load-child.ts says why), counting the answers that hold every mark. */
export async function runPacedInProcess(spec: Omit<PacedSpec, 'onResponse'>, marks: string[]): Promise<PacedProcessResult> {
  const dir = mkdtempSync(join(tmpdir(), 'paced-'));
  try {
    // Signed JSON bodies never hold a raw newline, so one per line is unambiguous.
    const bodiesFile = join(dir, 'bodies.ndjson');
    writeFileSync(bodiesFile, `${spec.bodies.join('\n')}\n`);
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({
      port: spec.target.port, rootCaPem: spec.target.rootCaPem, path: spec.path, bodiesFile, rate: spec.rate, connections: spec.connections,
      ...(spec.maxSeconds === undefined ? {} : { maxSeconds: spec.maxSeconds }), marks,
    }));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', CHILD, specFile], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
        if (error) reject(new Error(`paced load process failed: ${error.message}\n${err}`));
        else resolve(out);
      });
    });
    const last = stdout.trim().split('\n').at(-1) ?? '';
    return JSON.parse(last) as PacedProcessResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
