import express, { Router, type RequestHandler, type Response } from 'express';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import { toDomainError } from '../http/error-mapper.js';
import type { DeviceFlavour, DeviceHttpAnswer, DeviceTransport } from './device-transport.js';

/**
 * Both device transports (DESIGN §4.1 JSON and §4.4 Call Home) as Express routes, for embedded apps
 * (createSatelliteApp) and for whatever the listening process's fast path hands on (body encodings,
 * charsets, path spellings it leaves to Express). All decisions are DeviceTransport's.
 */
export function deviceRoutes(transport: DeviceTransport): Router {
  const router = Router();
  const readBody = express.text({ type: () => true, limit: transport.bodyLimitBytes });
  for (const flavour of ['json', 'callHome'] as const) {
    const admit: RequestHandler = (req, res, next) => {
      const admission = transport.admit(req.ip ?? req.socket.remoteAddress ?? '');
      for (const [name, value] of admission?.headers ?? []) res.setHeader(name, value);
      if (admission && !admission.allowed) {
        send(res, transport.rateLimited(flavour, requestIdOf(res)));
        return;
      }
      const refusal = transport.checkContentType(flavour, req.headers['content-type'], requestIdOf(res));
      if (refusal) {
        send(res, refusal);
        return;
      }
      next();
    };
    router.post(DEVICE_TRANSPORT_PATHS[flavour], admit, readBody, async (req, res, next) => {
      try {
        send(res, await transport.answer(flavour, typeof req.body === 'string' ? req.body : '', requestIdOf(res)));
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
      send(res, transport.failure(flavour satisfies DeviceFlavour, domain, requestIdOf(res)));
    }) as express.ErrorRequestHandler);
  }
  return router;
}

function send(res: Response, answer: DeviceHttpAnswer): void {
  res.status(answer.status).setHeader('Content-Type', answer.contentType);
  res.send(answer.body);
}

function requestIdOf(res: Response): string {
  return String(res.getHeader('x-request-id') ?? '');
}
