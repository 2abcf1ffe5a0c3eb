import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { CallHomeDecodeError, decodeCallHomeRequest, encodeCallHomeResponse, encodeSoapFault } from '../../protocol/call-home-codec.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import { DomainError } from '../../licensing/shared/domain-error.js';
import type { HttpOptions } from '../config.js';
import type { Satellite } from '../composition-root.js';
import { errorBody, httpStatusFor, toDomainError } from '../http/error-mapper.js';
import type { DeviceExchange } from './device-request-handler.js';
import type { SatelliteMetrics } from '../metrics/satellite-metrics.js';

type Flavour = 'json' | 'callHome';

const ACCEPTED_TYPES: Record<Flavour, string[]> = {
  json: ['application/json'],
  callHome: ['application/soap+xml', 'text/xml'],
};

/** Both device transports (DESIGN §4.1 JSON and §4.4 Call Home) over one transport-independent handler. */
export function deviceRoutes(satellite: Satellite, options: HttpOptions, metrics?: SatelliteMetrics): Router {
  const router = Router();
  const readBody = express.text({ type: () => true, limit: options.deviceBodyLimitBytes });
  const limiter = options.deviceRateLimitPerMinute > 0
    ? rateLimit({
      windowMs: 60_000,
      limit: options.deviceRateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (req, res) => {
        fail(res, flavourOf(req), new DomainError('RATE_LIMITED', 'too many device requests from this address; retry later'));
      },
    })
    : null;
  for (const flavour of ['json', 'callHome'] as const) {
    const chain: RequestHandler[] = [...(limiter ? [limiter] : []), requireContentType(flavour), readBody];
    router.post(DEVICE_TRANSPORT_PATHS[flavour], ...chain, async (req, res, next) => {
      const started = performance.now();
      try {
        const exchange = flavour === 'json' ? await answerJson(satellite, req, res) : await answerCallHome(satellite, req, res);
        metrics?.observeDevice({
          transport: flavour === 'json' ? 'json' : 'callhome',
          type: exchange?.kind === 'answered' ? exchange.messageType ?? 'UNKNOWN' : 'UNKNOWN',
          outcome: exchange?.kind === 'answered' ? exchange.outcome : 'UNREADABLE',
        }, (performance.now() - started) / 1000);
      } catch (error) {
        next(error);
      }
    });
    // Body-parser failures on these paths are answered in the transport's own dialect.
    router.use(DEVICE_TRANSPORT_PATHS[flavour], ((error, _req, res, next) => {
      const domain = toDomainError(error);
      if (!domain) {
        next(error);
        return;
      }
      fail(res, flavour, domain);
    }) as express.ErrorRequestHandler);
  }
  return router;
}

/** Each answer returns the exchange (null: the SOAP document itself was unreadable) for the metrics. */
async function answerJson(satellite: Satellite, req: Request, res: Response): Promise<DeviceExchange> {
  const exchange = await satellite.deviceHandler.handle(bodyText(req));
  if (exchange.kind === 'unreadable') {
    fail(res, 'json', new DomainError('VALIDATION_FAILED', `MALFORMED_MESSAGE: ${exchange.reason}`));
    return exchange;
  }
  res.status(200).type('application/json').send(exchange.envelopeText);
  return exchange;
}

async function answerCallHome(satellite: Satellite, req: Request, res: Response): Promise<DeviceExchange | null> {
  let request;
  try {
    request = decodeCallHomeRequest(bodyText(req));
  } catch (error) {
    if (error instanceof CallHomeDecodeError) {
      fail(res, 'callHome', new DomainError('VALIDATION_FAILED', error.reason));
      return null;
    }
    throw error;
  }
  const exchange = await satellite.deviceHandler.handle(request.envelopeText);
  if (exchange.kind === 'unreadable') {
    fail(res, 'callHome', new DomainError('VALIDATION_FAILED', `MALFORMED_MESSAGE: ${exchange.reason}`));
    return exchange;
  }
  const xml = encodeCallHomeResponse({
    envelopeText: exchange.envelopeText,
    inReplyTo: request.messageId,
    messageType: `${exchange.messageType ?? request.subType ?? 'ERROR'}_RESPONSE`,
    now: satellite.clock.now(),
    sessionMessageId: randomUUID(),
    soapVersion: request.soapVersion,
    ...(request.from ? { to: request.from } : {}),
  });
  res.status(200).type(request.soapVersion === '1.1' ? 'text/xml' : 'application/soap+xml').send(xml);
  return exchange;
}

function requireContentType(flavour: Flavour): RequestHandler {
  return (req, res, next) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (ACCEPTED_TYPES[flavour].includes(type) || (flavour === 'json' && /^application\/[a-z0-9.+-]+\+json$/.test(type))) {
      next();
      return;
    }
    fail(res, flavour, new DomainError('UNSUPPORTED_MEDIA_TYPE',
      `Content-Type '${type || '(none)'}' is not accepted here; send ${ACCEPTED_TYPES[flavour].join(' or ')}`));
  };
}

function fail(res: Response, flavour: Flavour, error: DomainError): void {
  const status = httpStatusFor(error);
  if (flavour === 'callHome') {
    res.status(status).type('application/soap+xml').send(encodeSoapFault(error.message));
    return;
  }
  res.status(status).json(errorBody(error, String(res.getHeader('x-request-id') ?? '')));
}

function flavourOf(req: Request): Flavour {
  return req.path === DEVICE_TRANSPORT_PATHS.callHome ? 'callHome' : 'json';
}

function bodyText(req: Request): string {
  return typeof req.body === 'string' ? req.body : '';
}
