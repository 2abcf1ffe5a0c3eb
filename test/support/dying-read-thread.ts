import { parentPort } from 'node:worker_threads';
import type { ReadRequest } from '../../server/admin/instances/instance-read-protocol.js';
import { serveInstanceReads, type InstanceReadThreadData } from '../../server/admin/instances/instance-read-thread.js';

/** The search term that makes this worker exit as a list arrives, and the one that makes it exit at the next 'next'. */
export const DIE_ON_LIST = 'die-now';
export const DIE_AT_NEXT_CHUNK = 'die-at-next-chunk';

/**
 * The real read worker, but one that dies on purpose (process.exit in a worker ends only its thread): on a list
 * searching DIE_ON_LIST, or at the first 'next' after a count searching DIE_AT_NEXT_CHUNK (mid-export).
 */
export function serveDyingInstanceReads(data: InstanceReadThreadData): void {
  let armed = false;
  // Added before the real handler, so it runs first and the request is never answered.
  parentPort?.on('message', (request: ReadRequest) => {
    if ((request.kind === 'list' || request.kind === 'listJson') && request.query.search === DIE_ON_LIST) process.exit(3);
    if (request.kind === 'count' && request.filter.search === DIE_AT_NEXT_CHUNK) armed = true;
    if (request.kind === 'next' && armed) process.exit(4);
  });
  serveInstanceReads(data);
}
