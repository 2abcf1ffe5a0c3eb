import type { BatchOutcome, Repositories, UnitOfWork } from '../../licensing/shared/unit-of-work.js';

/**
 * Group commit for device writes.
 *
 * A device request's write is a dozen statements (about 80 µs), but its own COMMIT, writing the dirty pages to the
 * WAL, cost about 170 µs more. Under load many requests finish their preparation in the same
 * event-loop turn, so their writes are queued here and applied together at the end of that turn
 * (setImmediate runs after the turn's I/O callbacks) in ONE immediate transaction, each unit inside its own
 * savepoint (UnitOfWork.writeBatch). What stays the same for each request:
 * - atomic: a unit that throws rolls back to its savepoint, leaving nothing behind, and gets its own error;
 * - isolated: units run one after another under the write lock, so guarded updates (token max uses, replay
 *   nonces, stored responses) see the units before them exactly as separate transactions would;
 * - durable before answered: a promise settles only after COMMIT returned, so no answer describes data that
 *   could still be rolled back. If the transaction itself fails, every unit of the batch gets that error.
 * A lone request waits for nothing: its batch is flushed in the same turn.
 *
 * Commit window: at a steady paced rate (1M devices reporting every 15 minutes offer ~1.1 requests per ms)
 * each turn holds one or two requests, so every request paid a COMMIT of its own (~250 µs of the event loop
 * at 1M rows, the largest single cost in the profile). So a batch that follows another within `windowMs`
 * waits until the window since that previous commit has passed (at most `windowMs`), gathering what arrives
 * meanwhile: commits are then at most one per window under load, while a request after an idle spell is
 * still flushed in its own turn. The wait adds at most `windowMs` to a request's latency and changes
 * nothing about atomicity or durability (answers still settle only after their COMMIT).
 */
export class DeviceWriteBatcher {
  readonly #uow: UnitOfWork;
  readonly #maxBatch: number;
  readonly #windowMs: number;
  readonly #queue: PendingUnit[] = [];
  #scheduled = false;
  #timer: NodeJS.Timeout | null = null;
  #lastCommitAt = -Infinity;

  /**
   * maxBatch bounds one transaction; what is left is applied in the following turns, in order. windowMs is the
   * commit window (0 = flush every turn, the behaviour before the window existed).
   */
  constructor(uow: UnitOfWork, options: { maxBatch?: number; windowMs?: number } = {}) {
    this.#uow = uow;
    this.#maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
    this.#windowMs = Math.max(0, options.windowMs ?? DEFAULT_WINDOW_MS);
  }

  /** Runs `work` in the next group commit; resolves with its result or rejects with its error after COMMIT. */
  submit<T>(work: (repos: Repositories) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let result: { value: T } | null = null;
      this.#queue.push({
        work: (repos) => {
          result = { value: work(repos) };
        },
        settle: (outcome) => {
          if (!outcome.ok) reject(outcome.error);
          else if (result === null) reject(new Error('a batched unit of work settled without running'));
          else resolve(result.value);
        },
      });
      if (!this.#scheduled) this.#schedule();
      else if (this.#timer !== null && this.#queue.length >= this.#maxBatch) {
        // A batch filled up while its window was open: it has gathered all it may, so it goes now.
        clearTimeout(this.#timer);
        this.#timer = null;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    this.#timer = null;
    const batch = this.#queue.splice(0, this.#maxBatch);
    // The rest waits for the next turn, after this batch's answers went out: answering in small batches keeps
    // the event loop from serving every connection in lockstep behind one long transaction (p99 latency).
    if (this.#queue.length > 0) this.#schedule();
    let outcomes: Array<BatchOutcome<void>>;
    try {
      outcomes = this.#uow.writeBatch(batch.map((unit) => unit.work));
      this.#lastCommitAt = performance.now();
    } catch (error) {
      for (const unit of batch) unit.settle({ ok: false, error });
      return;
    }
    batch.forEach((unit, index) => {
      unit.settle(outcomes[index] ?? { ok: false, error: new Error('the batch returned no outcome for this unit') });
    });
  }

  #schedule(): void {
    this.#scheduled = true;
    // A full batch never waits; nor does the first batch after an idle spell.
    const wait = this.#queue.length >= this.#maxBatch ? 0 : this.#lastCommitAt + this.#windowMs - performance.now();
    if (wait >= 1) this.#timer = setTimeout(() => this.#flush(), Math.ceil(wait));
    else setImmediate(() => this.#flush());
  }
}

// Measured on the 2-core bench (64 connections): 16 gave the best p99 at the same throughput; 8 commits too
// often, 32 and more let whole rounds of requests wait for each other.
const DEFAULT_MAX_BATCH = 16;
// bench:scale at a paced 1,111 AUTHORIZE/s on 1M instances: 4 → 8 → 12 → 16 ms took the server's CPU per request
// from ~790 to 739, 694 and 677 µs (fuller batches share each COMMIT) while p99 stayed 25–32 ms; see
// docs/performance.md ("Commit window").
const DEFAULT_WINDOW_MS = 16;

interface PendingUnit {
  work: (repos: Repositories) => void;
  settle: (outcome: BatchOutcome<void>) => void;
}
