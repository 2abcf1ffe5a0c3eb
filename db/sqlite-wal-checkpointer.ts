import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { SqliteDatabase } from './sqlite-connection.js';

/**
 * WAL checkpoints on a thread of their own.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past 1,000 pages, on the writing
 * connection: copying those pages back into the database file and its fsyncs ran on the event loop that
 * answers devices (the largest self-time entry of an AUTHORIZE profile, ~490 µs of ~1,900 µs per request at
 * 600/s, and the main source of tail latency). Here the writer's automatic checkpoint is off and a worker
 * thread with its own connection checkpoints PASSIVE every `intervalMs`: it never blocks the writer, and the
 * writer restarts the WAL from its beginning at its next transaction once a checkpoint has caught up.
 *
 * Under a steady write stream a PASSIVE checkpoint never quite catches up (the writer appends while it copies
 * and fsyncs), so the WAL would never start over and would grow for ever: ~21 MB/s at 400 AUTHORIZE/s on 1M
 * instances, with every append extending the file. So when the WAL is longer than `resetPages`, the writer
 * finishes the worker's checkpoint on its own connection between transactions: what arrived while the worker
 * copied, and two fsyncs, against the 1,000 pages its automatic checkpoint copied every 1,000 pages. Its next transaction then starts the WAL over. If the worker dies or cannot start,
 * the writer gets its automatic checkpoints back (logged), so the WAL never grows without bound.
 */
export interface WalCheckpointerOptions {
  logger: Logger;
  /** How often the worker checkpoints while the WAL grows (it looks every 10 × as long when it does not). */
  intervalMs?: number;
  /** WAL pages past which the writer finishes a checkpoint so that the WAL starts over. */
  resetPages?: number;
  /** The WAL's size once it starts over (journal_size_limit), and how much one start-over cuts; tests pass small ones. */
  sizeLimitBytes?: number;
  shrinkStepBytes?: number;
  /** The worker's code; tests pass one that fails on purpose. */
  source?: string;
}

export interface CheckpointStats {
  /** The worker's PASSIVE checkpoints. */
  checkpoints: number;
  /** Checkpoints the writer finished (each lets its next transaction start the WAL over). */
  resets: number;
  /** Checkpoints the writer ran when asked, whether or not they finished. */
  finishes: number;
  /** WAL length in pages at the worker's last checkpoint. */
  lastLogPages: number;
  failures: number;
}

/**
 * Checkpoints follow the writes closely (every 10 ms while the WAL grows), so each copies little and the
 * writer's finishing pass has little left: at 1M instances a 100 ms interval left ~4,000 frames to finish,
 * 62–72 ms on the event loop; at 10 ms the finish took at most 5 ms. An idle WAL is looked at every 100 ms.
 */
const BUSY_INTERVAL_MS = 10;
const IDLE_INTERVAL_MS = 100;
/** A WAL longer than this is started over: the writer finishes the worker's checkpoint (see the class comment). */
const DEFAULT_RESET_PAGES = 4_096;
const AUTOCHECKPOINT_PAGES = 1_000;
/** The most frames a worker's checkpoint may leave behind for the writer to be asked to finish it. */
const FINISH_GAP_PAGES = 1_024;
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
/**
 * How much of a grown WAL one restart cuts off. SQLite cuts the WAL file to journal_size_limit in the COMMIT
 * that starts it over, on the event loop, and freeing a file's blocks is slow here (ftruncate of 2 GB to
 * 64 MB: 610 ms; 256 MB: 64 ms). A WAL grown to gigabytes behind an export's snapshot is cut 32 MB a restart
 * (~10 ms each), one restart every `resetPages` of writes, until it is back at the limit.
 */
const SHRINK_STEP_BYTES = 32 * 1024 * 1024;

// Plain CommonJS run with eval: it loads the same way under tsx, vitest and dist/ (as the crypto worker does).
const CHECKPOINT_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
// PASSIVE never waits for readers or writers; nothing here should wait for a lock either.
db.pragma('busy_timeout = 0');
// resets and finishes are counted by the writer, which does them.
const stats = { checkpoints: 0, lastLogPages: 0, failures: 0 };
let timer = null;
let lastLog = -1;
let lastCheckpointed = 0;
let reportedBytes = 0;
// The writer sets journal_size_limit a step below the WAL file's size, so that whichever transaction starts
// the WAL over (after the writer's finish or this thread's own catching up) cuts only one step off.
const reportSize = () => {
  const stat = statSync(workerData.filename + '-wal', { throwIfNoEntry: false });
  const bytes = stat ? stat.size : 0;
  if (bytes === reportedBytes || (bytes <= workerData.sizeLimitBytes && reportedBytes <= workerData.sizeLimitBytes)) return;
  reportedBytes = bytes;
  parentPort.postMessage({ type: 'wal-size', bytes });
};
let delay = workerData.intervalMs;
const run = () => {
  try {
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0] || { busy: 1, log: 0, checkpointed: 0 };
    stats.checkpoints += 1;
    const log = Number(row.log);
    const checkpointed = Number(row.checkpointed);
    // A WAL that started over since the last pass: all it holds was copied by this one.
    const copied = log < lastLog ? checkpointed : checkpointed - lastCheckpointed;
    const idle = log === lastLog && checkpointed === log;
    lastLog = log;
    lastCheckpointed = checkpointed;
    delay = idle ? workerData.idleIntervalMs : workerData.intervalMs;
    stats.lastLogPages = Math.max(0, log);
    reportSize();
    // "log" is the WAL's length when this checkpoint began: the writer appended while it copied, so the WAL
    // is never caught up when the writer begins, and never starts over by itself. The writer finishes it, but
    // only when this checkpoint copied (nearly) all it saw: when it stopped short, a reader's snapshot (an
    // export) holds the older frames, the writer's checkpoint would stop at the same frame, and asking for it
    // every interval put a useless checkpoint on the event loop 100 times a second for the whole export.
    // And only after a short pass: what the writer finishes is what it appended while this pass copied, and
    // after an export the first pass copies the whole backlog for seconds (at 1M, a finish after it took
    // 63 ms of the event loop). A long pass is followed at once by another, each shorter than the last.
    if (log > workerData.resetPages && log - checkpointed <= workerData.finishGapPages) {
      if (copied <= workerData.finishGapPages) parentPort.postMessage({ type: 'finish' });
      else delay = 0;
    }
  } catch (error) {
    stats.failures += 1;
    delay = workerData.idleIntervalMs;
    parentPort.postMessage({ type: 'failure', message: String(error && error.message || error) });
  }
  timer = setTimeout(run, delay);
};
parentPort.on('message', (message) => {
  if (message === 'stats') parentPort.postMessage({ type: 'stats', stats });
  if (message === 'stop') { clearTimeout(timer); timer = null; db.close(); parentPort.postMessage({ type: 'stopped' }); }
});
timer = setTimeout(run, workerData.intervalMs);
parentPort.postMessage({ type: 'ready' });
`;

type WorkerMessage = { type: 'ready' | 'stopped' } | { type: 'failure'; message: string } | { type: 'stats'; stats: Omit<CheckpointStats, 'resets' | 'finishes'> } | { type: 'finish' } | { type: 'wal-size'; bytes: number };

export class WalCheckpointer {
  readonly #db: SqliteDatabase;
  readonly #logger: Logger;
  readonly #worker: Worker;
  #running = false;
  #closed = false;
  #statsWaiters: Array<(stats: CheckpointStats | null) => void> = [];
  #stopped: (() => void) | null = null;
  #resets = 0;
  #finishes = 0;
  #sizeLimit = -1;
  readonly #limitBytes: number;
  readonly #shrinkStepBytes: number;
  readonly #ready: Promise<boolean>;
  #settleReady: (running: boolean) => void = () => undefined;

  private constructor(db: SqliteDatabase, options: WalCheckpointerOptions) {
    this.#db = db;
    this.#logger = options.logger;
    this.#limitBytes = options.sizeLimitBytes ?? JOURNAL_SIZE_LIMIT;
    this.#shrinkStepBytes = options.shrinkStepBytes ?? SHRINK_STEP_BYTES;
    this.#ready = new Promise((resolve) => { this.#settleReady = resolve; });
    this.#worker = new Worker(options.source ?? CHECKPOINT_WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'), filename: db.name,
        intervalMs: options.intervalMs ?? BUSY_INTERVAL_MS, idleIntervalMs: (options.intervalMs ?? BUSY_INTERVAL_MS) * (IDLE_INTERVAL_MS / BUSY_INTERVAL_MS), resetPages: options.resetPages ?? DEFAULT_RESET_PAGES,
        finishGapPages: FINISH_GAP_PAGES, sizeLimitBytes: this.#limitBytes,
      },
    });
    this.#worker.unref();
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    this.#worker.on('error', (error) => this.#fallBack(error.message));
    this.#worker.on('exit', (code) => {
      this.#stopped?.();
      if (!this.#closed) this.#fallBack(`exited with code ${code}`);
      for (const waiter of this.#statsWaiters.splice(0)) waiter(null);
    });
  }

  /** Null for a database without a file (`:memory:`): it has no WAL to checkpoint. */
  static start(db: SqliteDatabase, options: WalCheckpointerOptions): WalCheckpointer | null {
    if (db.memory || db.name === '' || db.readonly) return null;
    return new WalCheckpointer(db, options);
  }

  /** True once the worker checkpoints and the writer's automatic checkpoint is off. */
  get running(): boolean { return this.#running; }

  /** Settles when the worker has started (true) or failed to (false). */
  ready(): Promise<boolean> { return this.#ready; }

  /** The worker's counts (tests, metrics); null when it is gone. */
  stats(): Promise<CheckpointStats | null> {
    if (this.#closed || !this.#running) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#statsWaiters.push(resolve);
      this.#worker.postMessage('stats');
    });
  }

  /** Ends the worker and gives the writer its automatic checkpoint back (close then checkpoints what is left). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#settleReady(false);
    this.#restoreAutocheckpoint();
    if (!this.#running) {
      await this.#worker.terminate();
      return;
    }
    await new Promise<void>((resolve) => {
      this.#stopped = resolve;
      this.#worker.postMessage('stop');
    });
    await this.#worker.terminate();
  }

  #onMessage(message: WorkerMessage): void {
    if (message.type === 'ready') {
      if (this.#closed) return;
      this.#db.pragma('wal_autocheckpoint = 0');
      // A WAL that grew (a long export's snapshot holds checkpoints back) is cut back when the writer restarts
      // it, one step at a time ('wal-size' below).
      this.#limitWal(this.#limitBytes);
      this.#running = true;
      this.#settleReady(true);
    } else if (message.type === 'stopped') {
      this.#stopped?.();
    } else if (message.type === 'failure') {
      this.#logger.warn({ error: message.message }, 'WAL checkpoint failed; the next one retries');
    } else if (message.type === 'stats') {
      for (const waiter of this.#statsWaiters.splice(0)) waiter({ ...message.stats, resets: this.#resets, finishes: this.#finishes });
    } else if (message.type === 'finish') {
      this.#finish();
    } else if (message.type === 'wal-size') {
      this.#limitWal(Math.max(this.#limitBytes, message.bytes - this.#shrinkStepBytes));
    }
  }

  /**
   * Copies the few frames the worker's checkpoint could not (those appended while it ran), on the writer's
   * connection, between transactions: then the writer's next transaction starts the WAL over. Skipped when
   * the worker is checkpointing right now (busy) or a transaction is open; the worker asks again.
   */
  #finish(): void {
    if (!this.#running || !this.#db.open || this.#db.inTransaction) return;
    const row = (this.#db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>)[0];
    this.#finishes += 1;
    if (row && row.busy === 0 && row.checkpointed === row.log) this.#resets += 1;
  }

  #limitWal(bytes: number): void {
    if (bytes === this.#sizeLimit) return;
    this.#db.pragma(`journal_size_limit = ${bytes}`);
    this.#sizeLimit = bytes;
  }

  #fallBack(reason: string): void {
    this.#settleReady(false);
    if (this.#closed) return;
    this.#closed = true;
    this.#restoreAutocheckpoint();
    this.#logger.error({ reason }, 'the WAL checkpoint worker stopped; the writer checkpoints automatically again');
  }

  #restoreAutocheckpoint(): void {
    const wasRunning = this.#running;
    this.#running = false;
    if (wasRunning && this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
