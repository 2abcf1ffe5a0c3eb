import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import type { DeviceFlavour, DeviceHttpAnswer, DeviceTransport } from '../device/device-transport.js';
import { unexpectedErrorBody } from './error-mapper.js';
import { securityHeaderPairs } from './security-headers.js';

const FLAVOUR_BY_PATH = new Map<string, DeviceFlavour>([
  [DEVICE_TRANSPORT_PATHS.json, 'json'],
  [DEVICE_TRANSPORT_PATHS.callHome, 'callHome'],
]);

/**
 * The listening process's request listener: the two device transport POSTs are answered here, everything
 * else goes to `fallback` (the Express app). Express's router, helmet, the request-id middleware and
 * body-parser cost about 200 µs of CPU per request, a quarter of an AUTHORIZE, and a device request needs
 * none of their generality. What the Express device routes do is kept by calling the same DeviceTransport
 * (rate limit, 415, exchange, metrics, error dialects) and by copying helmet's headers; the node:https
 * server's connection caps and header/request timeouts apply to every listener alike.
 *
 * Requests whose body Express would have to decode (a Content-Encoding, a charset other than UTF-8) and any
 * other spelling of the paths (a trailing slash, other letter case) are left to Express, which serves them
 * through the same transport.
 */
export function deviceFastPath(transport: DeviceTransport, fallback: RequestListener, logger: Logger): RequestListener {
  const securityHeaders = securityHeaderPairs();
  return (req, res) => {
    const flavour = req.method === 'POST' ? FLAVOUR_BY_PATH.get(pathOf(req.url ?? '')) : undefined;
    if (flavour === undefined || needsBodyDecoding(req)) {
      fallback(req, res);
      return;
    }
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    const admission = transport.admit(req.socket.remoteAddress ?? '');
    for (const [name, value] of admission?.headers ?? []) res.setHeader(name, value);
    if (admission && !admission.allowed) {
      write(res, transport.rateLimited(flavour, requestId));
      return;
    }
    const refusal = transport.checkContentType(flavour, req.headers['content-type'], requestId);
    if (refusal) {
      write(res, refusal);
      return;
    }
    readBody(req, transport.bodyLimitBytes, (outcome) => {
      if (outcome === 'aborted') return;
      if (outcome === 'too-large') {
        // Whatever else the client sends would only be read to be thrown away.
        res.setHeader('Connection', 'close');
        write(res, transport.failure(flavour, new DomainError('PAYLOAD_TOO_LARGE', 'request body is larger than allowed'), requestId));
        return;
      }
      transport.answer(flavour, outcome.text, requestId).then((answer) => write(res, answer), (error: unknown) => {
        write(res, { status: 500, contentType: 'application/json; charset=utf-8', body: JSON.stringify(unexpectedErrorBody(logger, error, requestId, pathOf(req.url ?? ''))) });
      });
    });
  };
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** body-parser inflates gzip/deflate/br and decodes other charsets; those rare requests go to Express. */
function needsBodyDecoding(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return true;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  return charset !== undefined && charset !== 'utf-8' && charset !== 'utf8';
}

type BodyOutcome = { text: string } | 'too-large' | 'aborted';

/** Reads the whole body as UTF-8 (a BOM dropped, as body-parser does), stopping as soon as it exceeds `limit`. */
function readBody(req: IncomingMessage, limit: number, done: (outcome: BodyOutcome) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done('too-large');
    return;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  let settled = false;
  const settle = (outcome: BodyOutcome): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    done(outcome);
  };
  const onData = (chunk: Buffer): void => {
    length += chunk.length;
    if (length > limit) {
      settle('too-large');
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => {
    const text = (chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, length)).toString('utf8');
    settle({ text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
  });
  // A client that goes away mid-body gets no answer (there is no one to read it) and leaves nothing behind.
  req.on('error', () => settle('aborted'));
  req.on('close', () => settle('aborted'));
}

function write(res: ServerResponse, answer: DeviceHttpAnswer): void {
  if (res.destroyed) return;
  res.statusCode = answer.status;
  res.setHeader('Content-Type', answer.contentType);
  res.setHeader('Content-Length', Buffer.byteLength(answer.body));
  res.end(answer.body);
}
