import { randomUUID } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import { CallHomeDecodeError, decodeCallHomeRequest, encodeCallHomeResponse, encodeSoapFault } from '../../protocol/call-home-codec.js';
import { DomainError } from '../../licensing/shared/domain-error.js';
import type { Satellite } from '../composition-root.js';
import type { HttpOptions } from '../config.js';
import { errorBody, httpStatusFor } from '../http/error-mapper.js';
import type { SatelliteMetrics } from '../metrics/satellite-metrics.js';
import { DeviceRateLimiter, type RateAdmission } from './device-rate-limiter.js';
import type { DeviceExchange } from './device-request-handler.js';

/** The two device transports: DESIGN §4.1 JSON and §4.4 Call Home. */
export type DeviceFlavour = 'json' | 'callHome';

/** A device answer, independent of who writes it to the socket (Express or the fast path). */
export interface DeviceHttpAnswer {
  status: number;
  /** Full Content-Type value, charset included, as Express's res.type() + send() would set it. */
  contentType: string;
  body: string;
}

const ACCEPTED_TYPES: Record<DeviceFlavour, string[]> = {
  json: ['application/json'],
  callHome: ['application/soap+xml', 'text/xml'],
};

const JSON_TYPE = 'application/json; charset=utf-8';
const SOAP_12_TYPE = 'application/soap+xml; charset=utf-8';
const SOAP_11_TYPE = 'text/xml; charset=utf-8';

/**
 * Everything a device request goes through besides reading its bytes: rate limit, content type, the exchange
 * itself, the metrics and the mapping of failures to the transport's dialect. The Express routes
 * (device-routes.ts) and the fast path in front of Express (server/http/device-fast-path.ts) both call this,
 * so the two cannot answer differently.
 */
export class DeviceTransport {
  readonly bodyLimitBytes: number;
  readonly #satellite: Satellite;
  readonly #metrics: SatelliteMetrics | undefined;
  readonly #limiter: DeviceRateLimiter;

  constructor(satellite: Satellite, options: HttpOptions, metrics?: SatelliteMetrics) {
    this.#satellite = satellite;
    this.#metrics = metrics;
    this.bodyLimitBytes = options.deviceBodyLimitBytes;
    this.#limiter = new DeviceRateLimiter({ limitPerWindow: options.deviceRateLimitPerMinute });
  }

  /**
   * Counts the request against its address's budget; null when the limit is off. IPv6 addresses count per
   * /56 and IPv4-mapped ones as IPv4, as express-rate-limit keyed them, so one host cannot rotate addresses.
   */
  admit(address: string): RateAdmission | null {
    return this.#limiter.admit(ipKeyGenerator(address));
  }

  rateLimited(flavour: DeviceFlavour, requestId: string): DeviceHttpAnswer {
    return this.failure(flavour, new DomainError('RATE_LIMITED', 'too many device requests from this address; retry later'), requestId);
  }

  /** The 415 refusal, or null when the Content-Type header is one this transport reads. */
  checkContentType(flavour: DeviceFlavour, header: string | undefined, requestId: string): DeviceHttpAnswer | null {
    const type = mediaType(header);
    if (ACCEPTED_TYPES[flavour].includes(type) || (flavour === 'json' && /^application\/[a-z0-9.+-]+\+json$/.test(type))) return null;
    return this.failure(flavour, new DomainError('UNSUPPORTED_MEDIA_TYPE',
      `Content-Type '${type || '(none)'}' is not accepted here; send ${ACCEPTED_TYPES[flavour].join(' or ')}`), requestId);
  }

  /**
   * Answers one request body. Domain failures (a busy crypto pool: 503) are answered in the transport's
   * dialect; anything else is a server bug and is thrown for the caller's 500 path (error-mapper.ts).
   */
  async answer(flavour: DeviceFlavour, bodyText: string, requestId: string): Promise<DeviceHttpAnswer> {
    const started = performance.now();
    let exchange: DeviceExchange | null = null;
    let answer: DeviceHttpAnswer;
    try {
      ({ exchange, answer } = flavour === 'json' ? await this.#answerJson(bodyText, requestId) : await this.#answerCallHome(bodyText, requestId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      answer = this.failure(flavour, error, requestId);
    }
    this.#metrics?.observeDevice({
      transport: flavour === 'json' ? 'json' : 'callhome',
      type: exchange?.kind === 'answered' ? exchange.messageType ?? 'UNKNOWN' : 'UNKNOWN',
      outcome: exchange?.kind === 'answered' ? exchange.outcome : 'UNREADABLE',
    }, (performance.now() - started) / 1000);
    return answer;
  }

  /** A refusal in the transport's own dialect: a SOAP fault for Call Home, the error body for JSON. */
  failure(flavour: DeviceFlavour, error: DomainError, requestId: string): DeviceHttpAnswer {
    const status = httpStatusFor(error);
    if (flavour === 'callHome') return { status, contentType: SOAP_12_TYPE, body: encodeSoapFault(error.message) };
    return { status, contentType: JSON_TYPE, body: JSON.stringify(errorBody(error, requestId)) };
  }

  async #answerJson(bodyText: string, requestId: string): Promise<{ exchange: DeviceExchange; answer: DeviceHttpAnswer }> {
    const exchange = await this.#satellite.deviceHandler.handle(bodyText);
    if (exchange.kind === 'unreadable') {
      return { exchange, answer: this.failure('json', new DomainError('VALIDATION_FAILED', `MALFORMED_MESSAGE: ${exchange.reason}`), requestId) };
    }
    return { exchange, answer: { status: 200, contentType: JSON_TYPE, body: exchange.envelopeText } };
  }

  async #answerCallHome(bodyText: string, requestId: string): Promise<{ exchange: DeviceExchange | null; answer: DeviceHttpAnswer }> {
    let request;
    try {
      request = decodeCallHomeRequest(bodyText);
    } catch (error) {
      if (error instanceof CallHomeDecodeError) {
        return { exchange: null, answer: this.failure('callHome', new DomainError('VALIDATION_FAILED', error.reason), requestId) };
      }
      throw error;
    }
    const exchange = await this.#satellite.deviceHandler.handle(request.envelopeText);
    if (exchange.kind === 'unreadable') {
      return { exchange, answer: this.failure('callHome', new DomainError('VALIDATION_FAILED', `MALFORMED_MESSAGE: ${exchange.reason}`), requestId) };
    }
    const xml = encodeCallHomeResponse({
      envelopeText: exchange.envelopeText,
      inReplyTo: request.messageId,
      messageType: `${exchange.messageType ?? request.subType ?? 'ERROR'}_RESPONSE`,
      now: this.#satellite.clock.now(),
      sessionMessageId: randomUUID(),
      soapVersion: request.soapVersion,
      ...(request.from ? { to: request.from } : {}),
    });
    return { exchange, answer: { status: 200, contentType: request.soapVersion === '1.1' ? SOAP_11_TYPE : SOAP_12_TYPE, body: xml } };
  }
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
