import { randomUUID } from 'node:crypto';
import { CallHomeDecodeError, decodeCallHomeRequest, encodeCallHomeRequest, type AttachmentEncoding } from '../protocol/call-home-codec.js';
import { DEVICE_TRANSPORT_PATHS } from '../protocol/transport-paths.js';
import { DeviceTransportError } from './agent-errors.js';
import { postText, requireOk, type HttpPostOptions, type HttpReply } from './http-post.js';

/** Carries one request envelope to the satellite and returns the response envelope text. */
export interface DeviceTransport {
  send(envelopeText: string, messageType: string): Promise<string>;
}

export type TransportKind = 'json' | 'callhome';

export const TRANSPORT_PATHS: Readonly<Record<TransportKind, string>> = {
  json: DEVICE_TRANSPORT_PATHS.json,
  callhome: DEVICE_TRANSPORT_PATHS.callHome,
};

export interface TransportOptions extends HttpPostOptions {
  /** Stamps the Call Home header times; the JSON transport has no use for it. */
  clock?: () => number;
  /** How the Call Home attachment carries the envelope; plain CDATA unless told otherwise. */
  callHomeEncoding?: AttachmentEncoding;
}

/** How a transport kind frames the envelope on the wire, separate from how the bytes travel. */
interface WireFormat {
  readonly kind: TransportKind;
  readonly contentType: string;
  encode(envelopeText: string, messageType: string): string;
  decode(responseText: string): string;
}

function wireFormat(kind: TransportKind, options: TransportOptions): WireFormat {
  if (kind === 'json') {
    return { kind, contentType: 'application/json', encode: (envelopeText) => envelopeText, decode: (text) => text };
  }
  const clock = options.clock ?? Date.now;
  return {
    kind,
    contentType: 'application/soap+xml; charset=utf-8',
    encode: (envelopeText, messageType) => encodeCallHomeRequest({
      envelopeText,
      messageType,
      now: clock(),
      messageId: randomUUID(),
      ...(options.callHomeEncoding === undefined ? {} : { encoding: options.callHomeEncoding }),
    }),
    decode: (text) => {
      try {
        return decodeCallHomeRequest(text).envelopeText;
      } catch (error) {
        if (error instanceof CallHomeDecodeError) {
          throw new DeviceTransportError(`The Call Home response cannot be read: ${error.message}`);
        }
        throw error;
      }
    },
  };
}

class HttpTransport implements DeviceTransport {
  readonly kind: TransportKind;
  readonly url: string;
  readonly #target: URL;
  readonly #wire: WireFormat;
  readonly #options: TransportOptions;

  protected constructor(kind: TransportKind, url: string, options: TransportOptions) {
    this.#target = parseUrl(url);
    this.url = this.#target.href;
    this.kind = kind;
    this.#wire = wireFormat(kind, options);
    this.#options = options;
  }

  async send(envelopeText: string, messageType: string): Promise<string> {
    const body = this.#wire.encode(envelopeText, messageType);
    const reply = await postText(this.#target, body, this.#wire.contentType, this.#options);
    return this.#wire.decode(requireOk(this.url, reply));
  }
}

/** `POST <satellite>/SmartTransport` with the envelope as the JSON body. */
export class JsonTransport extends HttpTransport {
  constructor(url: string, options: TransportOptions = {}) {
    super('json', url, options);
  }
}

/** `POST <satellite>/Transportgateway/services/DeviceRequestHandler` with the envelope in a Call Home SOAP document. */
export class CallHomeTransport extends HttpTransport {
  constructor(url: string, options: TransportOptions = {}) {
    super('callhome', url, options);
  }
}

/** What an in-process HTTP client (supertest on an Express app) must do: POST a body to a path. */
export type InProcessSend = (path: string, body: string, contentType: string) => Promise<HttpReply>;

/**
 * Drives the agent against an app without a socket, framing requests exactly as the HTTP transports do:
 * `new InProcessTransport((path, body, type) => request(app).post(path).set('Content-Type', type).send(body)
 *   .then((r) => ({ status: r.status, text: r.text })))`.
 */
export class InProcessTransport implements DeviceTransport {
  readonly kind: TransportKind;
  readonly #send: InProcessSend;
  readonly #wire: WireFormat;

  constructor(send: InProcessSend, options: TransportOptions & { kind?: TransportKind } = {}) {
    this.kind = options.kind ?? 'json';
    this.#send = send;
    this.#wire = wireFormat(this.kind, options);
  }

  async send(envelopeText: string, messageType: string): Promise<string> {
    const path = TRANSPORT_PATHS[this.kind];
    const reply = await this.#send(path, this.#wire.encode(envelopeText, messageType), this.#wire.contentType);
    return this.#wire.decode(requireOk(path, reply));
  }
}

/** The transport a device's configured URL names: Cisco agents are given one of these two paths. */
export function transportKindForUrl(url: string): TransportKind {
  const path = parseUrl(url).pathname.replace(/\/+$/, '').toLowerCase();
  if (path.endsWith('/smarttransport')) return 'json';
  if (path.endsWith('/devicerequesthandler')) return 'callhome';
  throw new DeviceTransportError(
    `Cannot tell the transport from ${url}: the path must end in ${TRANSPORT_PATHS.json} (JSON) or ${TRANSPORT_PATHS.callhome} (Call Home)`,
  );
}

export function createTransport(kind: TransportKind, url: string, options: TransportOptions = {}): JsonTransport | CallHomeTransport {
  return kind === 'json' ? new JsonTransport(url, options) : new CallHomeTransport(url, options);
}

export function transportFor(url: string, options: TransportOptions = {}): JsonTransport | CallHomeTransport {
  return createTransport(transportKindForUrl(url), url, options);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new DeviceTransportError(`Not a URL: ${url}`);
  }
}
