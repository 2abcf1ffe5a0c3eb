import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { BatchOutcome, Repositories, UnitOfWork } from '../../../licensing/shared/unit-of-work.js';
import { DeviceWriteBatcher } from '../../../server/device/device-write-batcher.js';

/** Records every batch; a unit throws to fail, like a unit rolled back to its savepoint. */
class RecordingUnitOfWork implements UnitOfWork {
  readonly batches: number[] = [];
  committed = false;
  failNextBatch: Error | null = null;
  readonly #repos = {} as Repositories;

  write<T>(work: (repos: Repositories) => T): T {
    return work(this.#repos);
  }

  read<T>(work: (repos: Repositories) => T): T {
    return work(this.#repos);
  }

  openSnapshot(): null {
    return null;
  }

  writeBatch<T>(works: ReadonlyArray<(repos: Repositories) => T>): Array<BatchOutcome<T>> {
    this.batches.push(works.length);
    if (this.failNextBatch) {
      const error = this.failNextBatch;
      this.failNextBatch = null;
      throw error;
    }
    const outcomes = works.map((work): BatchOutcome<T> => {
      try {
        return { ok: true, value: work(this.#repos) };
      } catch (error) {
        return { ok: false, error };
      }
    });
    this.committed = true;
    return outcomes;
  }
}

describe('DeviceWriteBatcher', () => {
  it('applies the writes submitted in one event-loop turn as one batch, in order', async () => {
    const uow = new RecordingUnitOfWork();
    const batcher = new DeviceWriteBatcher(uow);
    const order: number[] = [];
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(() => {
      order.push(n);
      return n * 10;
    })));
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(order, [1, 2, 3]);
    assert.deepEqual(uow.batches, [3]);
    // The next turn starts a new batch.
    assert.equal(await batcher.submit(() => 'later'), 'later');
    assert.deepEqual(uow.batches, [3, 1]);
  });

  it('settles nothing before the batch has committed', async () => {
    const uow = new RecordingUnitOfWork();
    const batcher = new DeviceWriteBatcher(uow);
    let settled = false;
    const pending = batcher.submit(() => 'value').then((value) => {
      settled = true;
      assert.equal(uow.committed, true, 'answered before COMMIT');
      return value;
    });
    // Microtasks run, but the batch waits for the end of the turn.
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    assert.equal(settled, false);
    assert.equal(uow.batches.length, 0);
    assert.equal(await pending, 'value');
  });

  it('rejects only the unit that failed; the others of its batch still succeed', async () => {
    const uow = new RecordingUnitOfWork();
    const batcher = new DeviceWriteBatcher(uow);
    const outcomes = await Promise.allSettled([
      batcher.submit(() => 'first'),
      batcher.submit(() => {
        throw new Error('replayed nonce');
      }),
      batcher.submit(() => 'third'),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    const failed = outcomes[1];
    assert.ok(failed?.status === 'rejected' && failed.reason instanceof Error && failed.reason.message === 'replayed nonce');
    assert.deepEqual(uow.batches, [3]);
  });

  it('fails every unit of a batch whose transaction failed', async () => {
    const uow = new RecordingUnitOfWork();
    uow.failNextBatch = new Error('database is locked');
    const batcher = new DeviceWriteBatcher(uow);
    const outcomes = await Promise.allSettled([batcher.submit(() => 1), batcher.submit(() => 2)]);
    assert.deepEqual(outcomes.map((o) => (o.status === 'rejected' && o.reason instanceof Error ? o.reason.message : o.status)),
      ['database is locked', 'database is locked']);
    assert.equal(await batcher.submit(() => 3), 3);
  });

  it('splits a burst into transactions of at most maxBatch units', async () => {
    const uow = new RecordingUnitOfWork();
    const batcher = new DeviceWriteBatcher(uow, { maxBatch: 4 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(() => i)));
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(uow.batches, [4, 4, 2]);
  });
});
