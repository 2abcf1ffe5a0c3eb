import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BenchServer {
  port: number;
  pid: number;
  /** CPU seconds (user + system) the server has used so far; null where /proc is not available. */
  cpuSeconds(): number | null;
  /** The same by thread id; the main thread's id is the pid. */
  threadCpuSeconds(): Map<number, number>;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  dataDir: string;
  /** Extra node flags for the server, e.g. --cpu-prof. */
  nodeArgs: string[];
  /** Extra environment for the server (bench:scale's knobs); it wins over the defaults below. */
  env?: Record<string, string>;
  /** How long to wait for the ready banner; a 1M-instance database on a busy machine can take minutes. */
  startTimeoutMs?: number;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The banner names the version since the operations work: `License Satellite 0.1.0 is serving on ...`.
const READY_LINE = /License Satellite (?:\S+ )?is serving on https:\/\/[^\s]+:(\d+)/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Runs the real `satellite serve` in a child process, so the load generator and the server each have
 * their own event loop (and, on two cores, their own core) instead of measuring each other.
 */
export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const child = spawn(process.execPath, [...options.nodeArgs, '--import', 'tsx', 'scripts/satellite.ts', 'serve'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SATELLITE_DATA_DIR: options.dataDir,
      SATELLITE_HOST: '127.0.0.1',
      SATELLITE_HOSTNAMES: '127.0.0.1',
      SATELLITE_PORT: '0',
      SATELLITE_LOG_LEVEL: 'warn',
      // All bench traffic comes from one address; the per-address limit would turn it into 429s.
      SATELLITE_DEVICE_RATE_LIMIT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    process.stderr.write(`[server] ${chunk}`);
  });
  try {
    const port = await readyPort(child, stderr, options.startTimeoutMs ?? START_TIMEOUT_MS);
    const pid = child.pid ?? 0;
    return { port, pid, cpuSeconds: () => processCpuSeconds(pid), threadCpuSeconds: () => threadCpuSeconds(pid), stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

function readyPort(child: ChildProcess, stderr: string[], timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`server did not report its port within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: string): void => {
      stdout += chunk;
      const match = READY_LINE.exec(stdout);
      if (!match?.[1]) return;
      cleanup();
      // pino writes to stdout; a warning from the server during the run should still be seen.
      child.stdout?.on('data', (later: string) => process.stderr.write(`[server] ${later}`));
      resolve(Number(match[1]));
    };
    const onExit = (code: number | null, signal: string | null): void => {
      fail(new Error(`server exited before it was ready (code ${code}, signal ${signal}): ${stderr.join('').trim()}`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(error: Error): void {
      cleanup();
      reject(error);
    }
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Server CPU time per phase is the figure that survives a shared machine: requests/s drop when other work
 * competes for the cores, CPU per request hardly moves. Linux only, from /proc/<pid>/stat.
 */
export function processCpuSeconds(pid: number, statFile = `/proc/${pid}/stat`): number | null {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / clockTicksPerSecond() : null;
  } catch {
    return null;
  }
}

/**
 * Every thread's CPU seconds by thread id (/proc/<pid>/task). Node names none of its threads, so a thread is known
 * by its id: the main thread's is the pid, and the others are told apart by what they cost (docs/performance.md).
 */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const seconds = processCpuSeconds(pid, `/proc/${pid}/task/${tid}/stat`);
    if (seconds !== null) threads.set(Number(tid), seconds);
  }
  return threads;
}

let ticksPerSecond: number | null = null;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === null) {
    let value = 100;
    try {
      value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      // 100 is the tick rate of every common Linux build.
    }
    ticksPerSecond = value;
  }
  return ticksPerSecond;
}

/** SIGTERM lets serve close cleanly (and write a --cpu-prof profile); SIGKILL if it hangs. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
