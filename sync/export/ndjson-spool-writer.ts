import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Flushes to disk at about this size: one write per record would dominate a 100,000-instance export. */
const FLUSH_BYTES = 64 * 1024;

/**
 * A temporary NDJSON file filled synchronously. The snapshot is read inside one SQLite transaction, which
 * cannot stay open across an await; spooling the rows to disk lets the zip be written afterwards, streamed,
 * with memory bounded by the flush size instead of the inventory.
 */
export class NdjsonSpoolWriter {
  readonly path: string;
  readonly #fd: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #closed = false;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'w', 0o600);
  }

  write(record: object): void {
    const line = `${JSON.stringify(record)}\n`;
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    writeSync(this.#fd, this.#pending.join(''));
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

/** Reads a spool back one serialised record at a time, for the bundle writer to pull as `{ lines }` (no re-parsing). */
export async function* readSpoolLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: FLUSH_BYTES }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length > 0) yield line;
  }
}
