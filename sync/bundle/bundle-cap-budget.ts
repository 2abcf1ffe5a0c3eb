import type { ZipArchive } from 'archiver';
import type { BundleCaps } from './bundle-caps.js';

/**
 * What the reader's caps allow, spent as the bundle is written: entry count, each entry's and the total uncompressed
 * bytes, and the archive size once finished. Compression ratios are only known exactly in the finished file, which
 * writeBundle checks with the reader's own directory check before the bundle appears (NDJSON deflates far below the
 * ratio cap; docs/sync-format.md, "Caps").
 */
export class CapBudget {
  readonly #caps: BundleCaps;
  readonly #archive: ZipArchive;
  #entries = 0;
  #total = 0;

  constructor(caps: BundleCaps, archive: ZipArchive) {
    this.#caps = caps;
    this.#archive = archive;
  }

  startEntry(): void {
    this.#entries += 1;
    if (this.#entries > this.#caps.maxEntries) {
      throw new Error(`the bundle would hold more than ${this.#caps.maxEntries} data entries (the reader's cap); raise the part size`);
    }
  }

  /** Called for every chunk before it is handed to the archive. */
  spend(name: string, bytes: number, entryBytes: number): void {
    this.#total += bytes;
    if (entryBytes > this.#caps.maxEntryBytes) {
      throw new Error(`bundle entry ${JSON.stringify(name)} would exceed ${this.#caps.maxEntryBytes} bytes (the reader's entry cap)`);
    }
    if (this.#total > this.#caps.maxTotalBytes) throw new Error(`the bundle would exceed ${this.#caps.maxTotalBytes} bytes in total (the reader's cap)`);
  }

  checkArchive(): void {
    if (this.#archive.pointer() > this.#caps.maxCompressedBytes) {
      throw new Error(`the bundle is ${this.#archive.pointer()} bytes, over the reader's ${this.#caps.maxCompressedBytes} byte archive cap`);
    }
  }
}
