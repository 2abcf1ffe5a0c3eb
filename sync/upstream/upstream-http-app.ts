import express, { Router, type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import { DomainError } from '../../licensing/shared/domain-error.js';
import type { ReferenceUpstream } from './reference-upstream.js';
import { registerUpstreamBundleRoutes } from './upstream-bundle-routes.js';

const STATUS: Partial<Record<DomainError['code'], number>> = {
  VALIDATION_FAILED: 400, NOT_FOUND: 404, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, UNAVAILABLE: 503,
};

/**
 * The reference upstream's HTTP API. It lives in sync/upstream/ because it needs nothing from server/: its
 * own small error mapping, no admin auth, no device transports. Errors are `{ error: { code, message } }`
 * like the satellite's.
 */
export function createUpstreamApp(upstream: ReferenceUpstream, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const v1 = Router();
  v1.get('/info', (_req, res) => {
    res.json(upstream.info());
  });
  registerUpstreamBundleRoutes(v1, upstream);
  app.use('/upstream/v1', v1);
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${req.path}` } });
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    if (error instanceof DomainError) {
      res.status(STATUS[error.code] ?? 500).json({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
      return;
    }
    logger.error({ err: error }, 'unexpected error in the upstream API');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  };
  app.use(onError);
  return app;
}
