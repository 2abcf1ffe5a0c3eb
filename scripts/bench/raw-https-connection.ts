import { connect, type TLSSocket } from 'node:tls';

/**
 * One kept-alive HTTPS/1.1 connection that sends a POST and reads its answer with a parser just large enough
 * for the satellite's answers (a status line, headers, a Content-Length or chunked body).
 *
 * Why not node:https for the paced load: its client costs ~150–250 µs of CPU per request (ClientRequest,
 * IncomingMessage, the agent's socket bookkeeping), and the load generator shares the server's two cores,
 * so that CPU is taken from the server being measured. A device fleet runs on other machines; the bench
 * should take as little from the server as it can, and it reports what it took (paced-load.ts).
 */
export interface RawResponse { status: number; body: string; close: boolean }

export interface RawTarget { port: number; ca: string; host?: string }

const HEADER_END = Buffer.from('\r\n\r\n');

export class RawHttpsConnection {
  #socket: TLSSocket | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: ((error: Error | null, response?: RawResponse) => void) | null = null;
  /** The socket the request in flight was written to: a late close of an older socket must not end it. */
  #pendingSocket: TLSSocket | null = null;
  #connecting: Promise<void> | null = null;

  constructor(readonly target: RawTarget) {}

  get busy(): boolean { return this.#pending !== null; }

  /** Sends one POST; the callback runs once, with the answer or the error that ended the exchange. */
  post(path: string, body: string, done: (error: Error | null, response?: RawResponse) => void): void {
    if (this.#pending) throw new Error('one request at a time per connection');
    this.#pending = done;
    const head = `POST ${path} HTTP/1.1\r\nHost: ${this.target.host ?? '127.0.0.1'}:${this.target.port}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const write = (): void => {
      const socket = this.#socket;
      if (!socket || socket.destroyed) { this.#fail(new Error('connection closed before the request')); return; }
      this.#pendingSocket = socket;
      socket.write(head + body);
    };
    if (this.#socket && !this.#socket.destroyed) write();
    else void this.#open().then(write, (error: unknown) => this.#fail(error instanceof Error ? error : new Error(String(error))));
  }

  /** Connects now (TLS handshake included) rather than at the first post; resolves once connected. */
  open(): Promise<void> {
    if (this.#socket && !this.#socket.destroyed && !this.#connecting) return Promise.resolve();
    return this.#open();
  }

  /** Ends the exchange in flight (a timeout): the socket goes, the next post opens a new one. */
  abort(reason: Error): void {
    this.#socket?.destroy();
    this.#socket = null;
    this.#fail(reason);
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }

  #open(): Promise<void> {
    if (this.#connecting) return this.#connecting;
    this.#buffer = Buffer.alloc(0);
    this.#connecting = new Promise<void>((resolve, reject) => {
      const socket = connect({ host: this.target.host ?? '127.0.0.1', port: this.target.port, ca: this.target.ca });
      socket.setNoDelay(true);
      socket.once('secureConnect', () => { this.#connecting = null; resolve(); });
      socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
      socket.on('error', (error) => {
        if (this.#connecting) { this.#connecting = null; reject(error); return; }
        if (this.#socket === socket) this.#socket = null;
        if (this.#pendingSocket === socket) this.#fail(error);
      });
      socket.on('close', () => {
        if (this.#socket === socket) this.#socket = null;
        if (this.#pendingSocket === socket) this.#fail(new Error('connection closed before the answer'));
      });
      this.#socket = socket;
    });
    return this.#connecting;
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = null;
    this.#pendingSocket = null;
    pending?.(error);
  }

  #onData(socket: TLSSocket, chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const parsed = parseResponse(this.#buffer);
    if (!parsed) return;
    this.#buffer = Buffer.alloc(0);
    const pending = this.#pending;
    this.#pending = null;
    this.#pendingSocket = null;
    if (parsed.close) {
      socket.destroy();
      if (this.#socket === socket) this.#socket = null;
    }
    pending?.(null, parsed);
  }
}

/** The whole answer once `data` holds it, else null. Exported for its test. */
export function parseResponse(data: Buffer): RawResponse | null {
  const end = data.indexOf(HEADER_END);
  if (end < 0) return null;
  const head = data.toString('latin1', 0, end);
  const lines = head.split('\r\n');
  const status = Number((lines[0] ?? '').split(' ')[1]);
  let length = -1;
  let chunked = false;
  let close = false;
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim().toLowerCase();
    if (name === 'content-length') length = Number(value);
    else if (name === 'transfer-encoding') chunked = value.includes('chunked');
    else if (name === 'connection') close = value === 'close';
  }
  const bodyStart = end + HEADER_END.length;
  if (chunked) return parseChunked(data, bodyStart, status, close);
  if (length < 0) length = 0;
  if (data.length < bodyStart + length) return null;
  return { status, body: data.toString('utf8', bodyStart, bodyStart + length), close };
}

function parseChunked(data: Buffer, start: number, status: number, close: boolean): RawResponse | null {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(data.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size)) return { status, body: '', close: true };
    const chunkStart = lineEnd + 2;
    if (data.length < chunkStart + size + 2) return null;
    if (size === 0) return { status, body: Buffer.concat(parts).toString('utf8'), close };
    parts.push(data.subarray(chunkStart, chunkStart + size));
    at = chunkStart + size + 2;
  }
}
