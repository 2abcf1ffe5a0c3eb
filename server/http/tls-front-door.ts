import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpsServer } from 'node:https';

/** The first byte of every TLS connection: a handshake record. */
const TLS_HANDSHAKE = 0x16;

const PLAIN_HTTP_BODY = 'This port speaks HTTPS only: use https:// instead of http:// (devices and browsers trust the satellite with pki/root.pem).\n';
const PLAIN_HTTP_ANSWER = [
  'HTTP/1.1 400 Bad Request',
  'Content-Type: text/plain; charset=utf-8',
  `Content-Length: ${Buffer.byteLength(PLAIN_HTTP_BODY)}`,
  'Connection: close',
  '',
  PLAIN_HTTP_BODY,
].join('\r\n');

/**
 * Listens for the HTTPS server and looks at the first byte of each connection: TLS goes on to the server,
 * anything else (a browser or curl sent `http://` to the HTTPS port) gets a short plaintext 400 saying to
 * use https, instead of a TLS alert that reads as a broken server.
 */
export function tlsFrontDoor(server: HttpsServer, firstByteTimeoutMs: number): NetServer {
  return createNetServer((socket: Socket) => {
    // A socket that never sends its first byte never reaches the HTTPS server's handshake timeout: time it
    // out here with the same limit, so idle sockets cannot pile up in front of the server.
    socket.setTimeout(firstByteTimeoutMs, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      if (first[0] === TLS_HANDSHAKE) {
        socket.unshift(first);
        server.emit('connection', socket);
        process.nextTick(() => socket.resume());
        return;
      }
      socket.end(PLAIN_HTTP_ANSWER);
    });
    socket.on('error', () => socket.destroy());
  });
}
