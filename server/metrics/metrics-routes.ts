import { Router, type RequestHandler } from 'express';
import { isIP } from 'node:net';
import { DomainError } from '../../licensing/shared/domain-error.js';
import type { AdminAuthenticator } from '../admin/admin-authenticator.js';
import type { SatelliteMetrics } from './satellite-metrics.js';

export const METRICS_PATH = '/metrics';

/**
 * GET /metrics in the Prometheus text format. A scraper on the same host reads it without credentials (the
 * usual node-exporter setup); from anywhere else it takes a bearer token of any role (viewer is enough).
 * The address is the socket's own: `trust proxy` is off, so X-Forwarded-For cannot fake a local caller.
 */
export function metricsRoutes(metrics: SatelliteMetrics, deps: { authenticator: AdminAuthenticator; openOnLoopback: boolean }): Router {
  const router = Router();
  router.get(METRICS_PATH, (async (req, res, next) => {
    try {
      if (!(deps.openOnLoopback && isLoopback(req.socket.remoteAddress))) {
        const auth = deps.authenticator.authenticate(req);
        if (!auth) throw new DomainError('UNAUTHENTICATED', 'metrics need a bearer token (POST /backend/oauth/token) unless read from the satellite\'s own host');
      }
      const { contentType, text } = await metrics.render();
      res.status(200).type(contentType).send(text);
    } catch (error) {
      next(error);
    }
  }) as RequestHandler);
  return router;
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

const ADMIN_PATHS = /^\/(backend\/api|api|backend\/oauth)\//;

/**
 * Counts admin API requests by the route pattern Express matched (`req.route.path`, e.g.
 * '/backend/api/v1/accounts/:accountName'), never the raw URL: names in URLs would make one series per value.
 */
export function countAdminRequests(metrics: SatelliteMetrics): RequestHandler {
  return (req, res, next) => {
    if (ADMIN_PATHS.test(req.path)) {
      res.once('finish', () => {
        const pattern: unknown = (req.route as { path?: unknown } | undefined)?.path;
        metrics.observeAdmin(typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched', res.statusCode);
      });
    }
    next();
  };
}
