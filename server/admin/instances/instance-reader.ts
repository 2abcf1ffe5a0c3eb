import type { InstanceFilter, InstanceQuery } from '../../../licensing/instances/instance-inventory-repository.js';
import type { CountMode, InstanceQueryService } from '../../../licensing/instances/instance-query-service.js';
import type { InstancePage } from '../../../licensing/instances/instance-views.js';
import { instanceCsvChunks } from './instance-csv.js';
import { instanceListJson, type ListPaging } from './instance-schemas.js';

/**
 * The admin's long product-instance reads: pages (with their search and filters), counts and the CSV export.
 * InlineInstanceReader does them on the event loop; InstanceReadWorker on a worker thread of their own, so
 * their CPU does not queue the devices (docs/performance.md, "Admin and sweeps at 1M").
 */
export interface InstanceReader {
  list(query: InstanceQuery, count?: CountMode): Promise<InstancePage>;
  /** The same page as the list route's answer, serialized by whoever read it (instanceListJson). */
  listJson(query: InstanceQuery, count: CountMode, paging: ListPaging): Promise<string | Uint8Array>;
  count(filter: InstanceFilter): Promise<number>;
  /** The whole CSV file in chunks, pulled one at a time; ending the iteration early stops the walk. */
  exportCsv(query: InstanceQuery): AsyncIterable<string | Uint8Array>;
  close(): Promise<void>;
}

/** On the event loop, in windows that yield between them: in-memory databases and SATELLITE_READ_WORKER=0. */
export class InlineInstanceReader implements InstanceReader {
  readonly #queries: InstanceQueryService;

  constructor(queries: InstanceQueryService) {
    this.#queries = queries;
  }

  list(query: InstanceQuery, count: CountMode = 'capped'): Promise<InstancePage> {
    return this.#queries.list(query, count);
  }

  async listJson(query: InstanceQuery, count: CountMode, paging: ListPaging): Promise<string> {
    return instanceListJson(await this.#queries.list(query, count), paging);
  }

  count(filter: InstanceFilter): Promise<number> {
    return this.#queries.count(filter);
  }

  exportCsv(query: InstanceQuery): AsyncIterable<string> {
    return instanceCsvChunks(this.#queries.exportRows(query));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Lists and counts on one reader, CSV exports on another: an export keeps its worker busy for minutes at 1M
 * (one window after another), and a list sent to the same worker waited its turn between them (first page
 * 300–400 ms during an export instead of ~100 ms).
 */
export class SplitInstanceReader implements InstanceReader {
  readonly #lists: InstanceReader;
  readonly #exports: InstanceReader;

  constructor(lists: InstanceReader, exports: InstanceReader) {
    this.#lists = lists;
    this.#exports = exports;
  }

  /** The reader exports go to (tests look at what its worker holds open). */
  get exportReader(): InstanceReader {
    return this.#exports;
  }

  list(query: InstanceQuery, count?: CountMode): Promise<InstancePage> {
    return this.#lists.list(query, count);
  }

  listJson(query: InstanceQuery, count: CountMode, paging: ListPaging): Promise<string | Uint8Array> {
    return this.#lists.listJson(query, count, paging);
  }

  count(filter: InstanceFilter): Promise<number> {
    return this.#lists.count(filter);
  }

  exportCsv(query: InstanceQuery): AsyncIterable<string | Uint8Array> {
    return this.#exports.exportCsv(query);
  }

  async close(): Promise<void> {
    await Promise.all([this.#lists.close(), this.#exports.close()]);
  }
}
