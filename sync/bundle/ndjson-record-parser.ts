import { BundleRejectedError } from './bundle-rejected-error.js';

const NEWLINE = 0x0a;

/**
 * Splits NDJSON bytes into records as they arrive, whatever the chunk boundaries. Strict, because the
 * writer is: every line is one JSON object ending in "\n", UTF-8, no blank lines, at most
 * `maxRecordBytes` long. Only the current partial line is held, so memory stays bounded by that cap.
 */
export class NdjsonRecordParser {
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineNumber = 0;
  // fatal: a malformed UTF-8 sequence is an error, not a silent U+FFFD inside an imported value.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly entryName: string,
    private readonly maxRecordBytes: number,
  ) {}

  /** The records completed by this chunk, in order. */
  push(chunk: Buffer): unknown[] {
    const records: unknown[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.hold(chunk.subarray(start, newline));
      const line = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
      this.pending.length = 0;
      this.pendingBytes = 0;
      records.push(this.parseLine(line ?? Buffer.alloc(0)));
      start = newline + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
    return records;
  }

  /**
   * Counts the lines this chunk completes, checking each is non-empty and within the cap, without decoding or
   * parsing them: the integrity pass (sizes, sha256, counts) of a bundle whose records are parsed when they are
   * read. Nothing is copied or allocated per line.
   */
  pushLines(chunk: Buffer): number {
    let start = 0;
    let lines = 0;
    for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const length = this.pendingBytes + newline - start;
      if (length > this.maxRecordBytes) throw this.badRecord(this.lineNumber + 1, `is longer than ${this.maxRecordBytes} bytes`);
      this.lineNumber += 1;
      if (length === 0) throw this.badRecord(this.lineNumber, 'is empty');
      this.pendingBytes = 0;
      lines += 1;
      start = newline + 1;
    }
    this.pendingBytes += chunk.length - start;
    if (this.pendingBytes > this.maxRecordBytes) throw this.badRecord(this.lineNumber + 1, `is longer than ${this.maxRecordBytes} bytes`);
    return lines;
  }

  /** Call once the bytes are done: a last line without its newline means the entry was cut short. */
  end(): void {
    if (this.pendingBytes > 0) {
      throw this.badRecord(this.lineNumber + 1, 'is not terminated by a newline (truncated entry?)');
    }
  }

  get recordCount(): number {
    return this.lineNumber;
  }

  private hold(part: Buffer): void {
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxRecordBytes) {
      throw this.badRecord(this.lineNumber + 1, `is longer than ${this.maxRecordBytes} bytes`);
    }
    // Copied, so a held partial line does not pin the whole chunk it came from.
    if (part.length > 0) this.pending.push(Buffer.from(part));
  }

  private parseLine(line: Buffer): unknown {
    this.lineNumber += 1;
    if (line.length === 0) throw this.badRecord(this.lineNumber, 'is empty');
    let text: string;
    try {
      text = this.decoder.decode(line);
    } catch {
      throw this.badRecord(this.lineNumber, 'is not valid UTF-8');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.badRecord(this.lineNumber, `is not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.badRecord(this.lineNumber, 'is not a JSON object');
    }
    return value;
  }

  private badRecord(line: number, problem: string): BundleRejectedError {
    return new BundleRejectedError('BAD_RECORD', `entry ${JSON.stringify(this.entryName)} line ${line} ${problem}`);
  }
}
