import { Agent, request } from 'node:https';
import { BENCH_TAG } from './bench-devices.js';
import type { TlsTarget } from './bench-verify.js';

/** One admin request as the web UI or an API client would make it, timed from send to last byte. */
export interface AdminCall {
  name: string;
  path: string;
  status: number;
  ms: number;
  /** Time to the first byte of the body (the first page of a streamed answer). */
  firstByteMs: number;
  bytes: number;
  /** For lists: rows in the page; for CSV: data lines. */
  rows: number;
  total: number | null;
  /** Set when the request failed without an answer (e.g. the server reset the connection). */
  error?: string;
}

export interface ExportFigures {
  requests: number;
  rows: number;
  /** x-total-count of the first chunk: every matching instance. */
  total: number;
  seconds: number;
  complete: boolean;
  chunks: AdminCall[];
}

const BASE = `/backend/api/v1/accounts/Bench/product-instances`;

/**
 * The server's longest event-loop stall since the previous scrape, in ms (satellite_event_loop_stall_max_seconds
 * on /metrics, open on loopback); null when the server has no such gauge.
 */
export interface ServerPauses { stallMs: number | null; gcMaxMs: number | null }

/** The server's longest event-loop stall and GC pause since the previous scrape, from its /metrics. */
export function scrapePauses(target: TlsTarget): Promise<ServerPauses> {
  return new Promise((resolve, reject) => {
    // agent: false, a connection of its own: Node 20's global agent keeps sockets alive, and one kept across a
    // run outlives the server's 5 s keep-alive timeout and fails the next scrape with ECONNRESET.
    const req = request({ host: '127.0.0.1', port: target.port, path: '/metrics', method: 'GET', ca: target.rootCaPem, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ stallMs: stallFromMetrics(text), gcMaxMs: gcMaxFromMetrics(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The longest GC pause of any kind (null when the server has no such gauge). */
export function gcMaxFromMetrics(text: string): number | null {
  const values = [...text.matchAll(/^satellite_gc_pause_max_seconds\{kind="\w+"\} (\S+)$/gm)].map((m) => Number(m[1]) * 1000);
  return values.length === 0 ? null : Math.max(...values);
}

export function stallFromMetrics(text: string): number | null {
  const match = /^satellite_event_loop_stall_max_seconds (\S+)$/m.exec(text);
  return match?.[1] ? Number(match[1]) * 1000 : null;
}

export class AdminClient {
  readonly #target: TlsTarget;
  readonly #agent: Agent;
  #authorization = '';

  constructor(target: TlsTarget) {
    this.#target = target;
    // No keep-alive: while the in-process load generator is busy, an idle socket outlives the server's 5 s
    // keep-alive timeout and the next request on it fails. A TLS handshake per admin request costs a few ms.
    this.#agent = new Agent({ keepAlive: false, maxSockets: 4, ca: target.rootCaPem });
  }

  async logIn(clientId: string, clientSecret: string): Promise<void> {
    const body = JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    const res = await this.#call('token', 'POST', '/backend/oauth/token', body);
    if (res.call.error) throw new Error(`admin token request failed: ${res.call.error}`);
    const token = (JSON.parse(res.text) as { access_token?: unknown }).access_token;
    if (res.call.status !== 200 || typeof token !== 'string') throw new Error(`admin token refused: ${res.call.status} ${res.text.slice(0, 200)}`);
    this.#authorization = `Bearer ${token}`;
  }

  /** GET /metrics as text (loopback needs no credentials). */
  async metrics(): Promise<string> {
    return (await this.#call('metrics', 'GET', '/metrics')).text;
  }

  /** A list request; the answer is parsed for its row count and total. */
  /** The nextCursor of the last page listed, for a keyset follow-up. */
  lastCursor: string | null = null;

  async list(name: string, query: Record<string, string>): Promise<AdminCall> {
    const res = await this.#call(name, 'GET', `${BASE}?${new URLSearchParams(query).toString()}`);
    if (res.call.status === 200) {
      const page = JSON.parse(res.text) as { productInstances?: unknown[]; total?: number; nextCursor?: string | null };
      res.call.rows = page.productInstances?.length ?? 0;
      res.call.total = page.total ?? null;
      this.lastCursor = page.nextCursor ?? null;
    }
    return res.call;
  }

  async get(name: string, path: string): Promise<AdminCall> {
    return (await this.#call(name, 'GET', path)).call;
  }

  /** The CSV export of every instance in one streamed answer (the server walks one snapshot in windows). */
  async exportAll(): Promise<ExportFigures> {
    const started = performance.now();
    const chunk = (await this.#call('export', 'GET', `${BASE}/export.csv`, undefined, true)).call;
    const total = chunk.status === 200 ? chunk.total ?? chunk.rows : 0;
    return { requests: 1, rows: chunk.rows, total, seconds: (performance.now() - started) / 1000, complete: chunk.status === 200 && chunk.rows === total, chunks: [chunk] };
  }

  close(): void {
    this.#agent.destroy();
  }

  /** One request; a failure is returned as a call with status 0 and its error. */
  async #call(name: string, method: 'GET' | 'POST', path: string, body?: string, csv = false): Promise<{ call: AdminCall; text: string }> {
    const started = performance.now();
    try {
      return await this.#callOnce(name, method, path, body, csv);
    } catch (error) {
      // A server whose event loop stalled past its handshake or headers timeout drops connections: that is a
      // figure to report (status 0 and the error), not a reason to stop measuring the rest.
      const message = error instanceof Error ? error.message : String(error);
      return {
        call: { name, path, status: 0, ms: performance.now() - started, firstByteMs: 0, bytes: 0, rows: 0, total: null, error: message },
        text: '',
      };
    }
  }

  /** Streams the answer; a CSV body is only counted (lines), never kept, so 1M rows cost the bench nothing. */
  #callOnce(name: string, method: 'GET' | 'POST', path: string, body?: string, csv = false): Promise<{ call: AdminCall; text: string }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: this.#target.port, path, method, agent: this.#agent,
        headers: {
          ...(this.#authorization ? { authorization: this.#authorization } : {}),
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        let lines = 0;
        let firstByteMs = -1;
        res.on('data', (chunk: Buffer) => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
          bytes += chunk.length;
          if (csv) {
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
          } else chunks.push(chunk);
        });
        res.on('end', () => {
          const totalHeader = res.headers['x-total-count'];
          const call: AdminCall = {
            name, path, status: res.statusCode ?? 0, ms: performance.now() - started, firstByteMs: Math.max(firstByteMs, 0), bytes,
            // The CSV's first line is its header.
            rows: csv ? Math.max(0, lines - 1) : 0, total: typeof totalHeader === 'string' ? Number(totalHeader) : null,
          };
          resolve({ call, text: csv ? '' : Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * What the web UI and an API client ask at a large fleet: the first page in each sort order, deep pages,
 * the largest page, searches, every filter, and one instance's detail.
 */
export async function adminQueries(client: AdminClient, instances: number, sampleSerial: string, sampleInstanceId: string): Promise<AdminCall[]> {
  // Offsets stop at 10,000 by design (docs/admin-api: deeper pages go by cursor), so the deep pages are the
  // deepest offset, a cursor step, and the last page as the first page of the opposite order.
  const deepOffset = String(Math.min(10_000, Math.max(0, instances - 60)));
  const hourAgo = String(Date.now() - 3_600_000);
  const list: Array<[string, Record<string, string>]> = [
    ['first page, newest contact first (the default), during the export', {}],
    ['first page, oldest contact first, during the export', { sort: 'lastContact' }],
    ['page at offset 10,000 (the deepest offset)', { offset: deepOffset }],
    ['last page (first page oldest first)', { sort: 'lastContact', limit: '50' }],
    ['1,000 rows', { limit: '1000' }],
    ['search a hostname', { search: `sw-${Math.floor(instances / 3)}.site` }],
    ['search a serial number (prefix, indexed)', { search: sampleSerial, match: 'prefix' }],
    ['search with no match (prefix, indexed)', { search: 'no-such-device-anywhere', match: 'prefix' }],
    ['filter: serial number exact', { serialNumber: sampleSerial }],
    ['filter: UDI PID', { pid: 'C9200L-48P-4G' }],
    ['filter: product type', { productType: 'ISR4451' }],
    ['filter: license tag', { licenseTag: BENCH_TAG }],
    ['filter: virtual account', { virtualAccount: 'Fleet-2' }],
    ['filter: authorization state', { authorizationState: 'OUT_OF_COMPLIANCE' }],
    ['filter: contact in the last hour', { lastContactAfter: hourAgo }],
    ['filter: no contact for an hour, deepest offset', { lastContactBefore: hourAgo, offset: deepOffset }],
    ['filter: unregistered', { registrationState: 'UNREGISTERED' }],
  ];
  const calls: AdminCall[] = [];
  for (const [name, query] of list) {
    calls.push(await client.list(name, query));
    // Right after the first page: the next page by keyset, as the UI pages past 10,000 rows.
    if (calls.length === 1 && client.lastCursor) calls.push(await client.list('next page by cursor', { cursor: client.lastCursor }));
  }
  calls.push(await client.get('instance detail', `${BASE}/${encodeURIComponent(sampleInstanceId)}`));
  return calls;
}
