import * as http from 'node:http';
import * as https from 'node:https';
import { DeviceTransportError } from './agent-errors.js';

export interface HttpPostOptions {
  /** PEM of the CA that issued the satellite's TLS certificate (its own root unless an admin replaced it). */
  ca?: string;
  timeoutMs?: number;
}

export interface HttpReply {
  status: number;
  text: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Far above any protocol response (envelopes are capped at 48 KiB); a bigger answer is not the satellite. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** One POST over node:http or node:https, chosen by the URL scheme, with a deadline for the whole exchange. */
export function postText(url: URL, body: string, contentType: string, options: HttpPostOptions = {}): Promise<HttpReply> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') {
    return Promise.reject(new DeviceTransportError(`Unsupported URL scheme ${url.protocol} in ${url.href}; use http or https`));
  }
  const payload = Buffer.from(body, 'utf8');
  const requestOptions: https.RequestOptions = {
    method: 'POST',
    headers: { 'Content-Type': contentType, 'Content-Length': payload.length, Accept: contentType.split(';')[0] ?? contentType },
  };
  if (isHttps && options.ca !== undefined) requestOptions.ca = options.ca;

  return new Promise<HttpReply>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const request = (isHttps ? https : http).request(url, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          request.destroy(new DeviceTransportError(`The response from ${url.href} is larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        finish(() => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      response.on('error', (error) => finish(() => reject(connectionError(url, error))));
    });
    const timer = setTimeout(() => {
      request.destroy(new DeviceTransportError(`No answer from ${url.href} within ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('error', (error) => finish(() => reject(connectionError(url, error))));
    request.end(payload);
  });
}

function connectionError(url: URL, error: Error): DeviceTransportError {
  if (error instanceof DeviceTransportError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  // Node names TLS trust failures by code; the hint says what to do about the usual cause.
  const hint = code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)
    ? ' (the satellite TLS certificate is not trusted: pass the satellite root CA as ca)'
    : '';
  return new DeviceTransportError(`Cannot reach the satellite at ${url.href}: ${error.message}${hint}`);
}

/** Turns a non-200 answer into an error that shows the start of the body (an error page or SOAP fault). */
export function requireOk(url: string, reply: HttpReply): string {
  if (reply.status === 200) return reply.text;
  const snippet = reply.text.replace(/\s+/g, ' ').trim().slice(0, 300);
  throw new DeviceTransportError(`HTTP ${reply.status} from ${url}${snippet === '' ? '' : `: ${snippet}`}`, reply.status, snippet);
}
