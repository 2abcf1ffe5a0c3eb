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
 */
export class DeviceWriteBatcher {
  readonly #uow: UnitOfWork;
  readonly #maxBatch: number;
  readonly #queue: PendingUnit[] = [];
  #scheduled = false;

  /** maxBatch bounds one transaction; what is left is applied in the following turns, in order. */
  constructor(uow: UnitOfWork, options: { maxBatch?: number } = {}) {
    this.#uow = uow;
    this.#maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
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
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, this.#maxBatch);
    // The rest waits for the next turn, after this batch's answers went out: answering in small batches keeps
    // the event loop from serving every connection in lockstep behind one long transaction (p99 latency).
    if (this.#queue.length > 0) this.#schedule();
    let outcomes: Array<BatchOutcome<void>>;
    try {
      outcomes = this.#uow.writeBatch(batch.map((unit) => unit.work));
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
    setImmediate(() => this.#flush());
  }
}

// Measured on the 2-core bench (64 connections): 16 gave the best p99 at the same throughput; 8 commits too
// often, 32 and more let whole rounds of requests wait for each other.
const DEFAULT_MAX_BATCH = 16;

interface PendingUnit {
  work: (repos: Repositories) => void;
  settle: (outcome: BatchOutcome<void>) => void;
}
