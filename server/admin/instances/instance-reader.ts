import type { InstanceFilter, InstanceQuery } from '../../../licensing/instances/instance-inventory-repository.js';
import type { CountMode, InstanceQueryService } from '../../../licensing/instances/instance-query-service.js';
import type { InstancePage } from '../../../licensing/instances/instance-views.js';
import { instanceCsvChunks } from './instance-csv.js';

/**
 * The admin's long product-instance reads: pages (with their search and filters), counts and the CSV export.
 * InlineInstanceReader does them on the event loop; InstanceReadWorker on a worker thread of their own, so
 * their CPU does not queue the devices (docs/performance.md, "Admin and sweeps at 1M").
 */
export interface InstanceReader {
  list(query: InstanceQuery, count?: CountMode): Promise<InstancePage>;
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
