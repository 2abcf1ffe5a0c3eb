import type { Server as NetServer, Socket } from 'node:net';
import type { Logger } from 'pino';

/** How many connections the HTTPS server holds and for how long (README configuration table). */
export interface ConnectionLimits {
  /** Connections open at once, all addresses together; more are closed as they arrive. */
  maxConnections: number;
  /** Connections open at once from one client address (devices behind one NAT share one). */
  maxConnectionsPerAddress: number;
  /** A connection that has not finished its TLS handshake by then is closed. */
  tlsHandshakeTimeoutMs: number;
  /** A request whose headers have not all arrived by then is answered 408 and closed (slowloris). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  maxConnections: 1000,
  maxConnectionsPerAddress: 100,
  tlsHandshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/** A whole request (headers and body) must arrive within this; the device body limit is 1 MiB at most. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Options for https.createServer: the timeouts are enforced by Node itself. */
export function serverTimeoutOptions(limits: ConnectionLimits): {
  handshakeTimeout: number; headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number;
} {
  return {
    handshakeTimeout: limits.tlsHandshakeTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, limits.headersTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the headers and request timeouts on this timer (30 s by default): check every second so a
    // 10 s limit means about 10 s.
    connectionsCheckingInterval: 1000,
  };
}

/**
 * Caps the connections in total and per client address. The per-address count is kept on the raw TCP
 * socket (before TLS), so idle sockets that never start a handshake count too: without the cap a few
 * hundred of them from one host exhaust the file descriptors and nobody else gets an answer.
 */
export function limitConnections(server: NetServer, limits: ConnectionLimits, logger: Logger): void {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  let refusedSinceLog = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) {
      socket.destroy();
      return;
    }
    const count = open.get(address) ?? 0;
    if (count >= limits.maxConnectionsPerAddress) {
      socket.destroy();
      // One line per burst, not per socket: the log must not become the next thing to fill up.
      if (refusedSinceLog === 0) logger.warn({ address, limit: limits.maxConnectionsPerAddress }, 'too many connections from one address; closing the excess');
      refusedSinceLog = (refusedSinceLog + 1) % 1000;
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
