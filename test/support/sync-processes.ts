import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Real processes for the sync end-to-end tests: the CLI run as `node --import tsx scripts/satellite.ts ...`
 * from the repository root, long-running servers started on port 0 and known by their banner, and
 * read-only sqlite3 queries against another process's database file.
 */
const run = promisify(execFile);
export const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];

export type Env = Record<string, string | undefined>;

/** The environment of a satellite whose data lives in `dataDir`: loopback, quiet logs. */
export function satelliteEnv(dataDir: string, extra: Env = {}): Env {
  return {
    ...process.env, SATELLITE_DATA_DIR: dataDir, SATELLITE_PORT: '0', SATELLITE_HOST: '127.0.0.1',
    SATELLITE_HOSTNAMES: 'localhost,127.0.0.1', SATELLITE_LOG_LEVEL: 'warn', ...extra,
  };
}

/** Runs one CLI command to completion; rejects (with stdout, stderr and code) on a non-zero exit. */
export async function cli(env: Env, ...args: string[]): Promise<string> {
  return (await run(process.execPath, [...CLI, ...args], { env, cwd: ROOT, maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** Runs a CLI command with --json and parses its stdout. */
export async function cliJson<T = unknown>(env: Env, ...args: string[]): Promise<T> {
  return JSON.parse(await cli(env, ...args, '--json')) as T;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process printed on stdout up to and including the banner. */
  banner: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Spawns a long-running CLI command and resolves once its stdout matches `ready`; rejects if it exits first
 * or `timeoutMs` passes (no sleeps: the stream is watched).
 */
export async function startProcess(env: Env, args: readonly string[], ready: RegExp, timeoutMs = 30_000): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...CLI, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: no banner within ${timeoutMs} ms: ${out}${stderr}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited early with ${code}: ${out}${stderr}`));
    });
  }).catch((error: unknown) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  });
  return {
    child, banner,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `satellite upstream serve --data <dir> --port 0`, with the URL from its banner. */
export async function startUpstream(env: Env, dataDir: string): Promise<RunningProcess & { url: string }> {
  const running = await startProcess(env, ['upstream', 'serve', '--data', dataDir, '--port', '0'], /serving on (http:\/\/\S+)/);
  const url = /serving on (http:\/\/\S+)/.exec(running.banner)?.[1];
  if (!url) throw new Error(`no URL in the upstream banner: ${running.banner}`);
  return { ...running, url };
}

/** `satellite serve` on port 0, with the device transport URL and root CA from its banner. */
export async function startSatellite(env: Env): Promise<RunningProcess & { jsonUrl: string; rootCa: string }> {
  const running = await startProcess(env, ['serve'], /Data directory/);
  const jsonUrl = /Device transport URL \(JSON\):\s+(\S+)/.exec(running.banner)?.[1];
  const rootCa = /Root CA to give devices:\s+(\S+)/.exec(running.banner)?.[1];
  if (!jsonUrl || !rootCa) throw new Error(`no transport URL or root CA in the banner: ${running.banner}`);
  return { ...running, jsonUrl, rootCa };
}

/** A read-only query through the sqlite3 CLI (another process's database, never opened for writing). */
export async function sqliteRows<T = Record<string, unknown>>(dbFile: string, sql: string): Promise<T[]> {
  const { stdout } = await run('sqlite3', ['-readonly', '-json', dbFile, sql], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim() === '' ? [] : (JSON.parse(stdout) as T[]);
}

/** The field of a `label: value` line of CLI output. */
export function field(stdout: string, label: string): string {
  return new RegExp(`^${label.replace(/[()]/g, '\\$&')}: (.+)$`, 'm').exec(stdout)?.[1] ?? '';
}
