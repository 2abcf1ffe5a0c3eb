import express, { type Express } from 'express';
import type { Satellite } from './composition-root.js';
import { defaultHttpOptions, type HttpOptions } from './config.js';
import { ADMIN_API_PREFIXES, adminRouter } from './admin/admin-router.js';
import { adminRoutes, openApiRouter } from './admin/admin-routes.js';
import { authRouter } from './admin/auth/auth-router.js';
import { OAUTH_PREFIX, oauthTokenRoutes } from './admin/auth/oauth-token-routes.js';
import { deviceRoutes } from './device/device-routes.js';
import { DeviceTransport } from './device/device-transport.js';
import { errorHandler } from './http/error-mapper.js';
import { healthRoutes } from './http/health-routes.js';
import { pkiRoutes } from './http/pki-routes.js';
import { requestId } from './http/request-id.js';
import { securityHeaders } from './http/security-headers.js';
import { webUiRoutes } from './http/web-ui-routes.js';
import { DomainError } from '../licensing/shared/domain-error.js';
import { countAdminRequests, metricsRoutes } from './metrics/metrics-routes.js';
import { metricsSources } from './metrics/metrics-sources.js';
import { SatelliteMetrics } from './metrics/satellite-metrics.js';
import { errorBody } from './http/error-mapper.js';

/** Builds the Express app around a composed satellite. Never listens: main.ts and tests decide that. */
export function createApp(satellite: Satellite, options: HttpOptions = defaultHttpOptions): Express {
  return createAppParts(satellite, options).app;
}

/**
 * The app and the device transport its routes use, for main.ts: its listener answers the device POSTs with
 * that same transport before Express (one rate-limit budget, one set of metrics).
 */
export function createAppParts(satellite: Satellite, options: HttpOptions = defaultHttpOptions): { app: Express; deviceTransport: DeviceTransport } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const metrics = new SatelliteMetrics(metricsSources(satellite));
  app.use(requestId);
  app.use(securityHeaders());
  app.use(healthRoutes(satellite));
  app.use(pkiRoutes(satellite));
  app.use(metricsRoutes(metrics, { authenticator: satellite.adminAuthenticator, openOnLoopback: options.metricsOpenOnLoopback }));
  app.use(countAdminRequests(metrics));
  const deviceTransport = new DeviceTransport(satellite, options, metrics);
  app.use(deviceRoutes(deviceTransport));
  const routes = adminRoutes(satellite);
  app.use(openApiRouter([
    { prefix: ADMIN_API_PREFIXES[0], routes },
    { prefix: OAUTH_PREFIX, routes: oauthTokenRoutes(satellite) },
  ]));
  app.use(authRouter(satellite, options));
  app.use(adminRouter(routes, { authenticator: satellite.adminAuthenticator }));
  app.use(webUiRoutes(options.webUiDir));
  app.use((req, res) => {
    const error = new DomainError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
    res.status(404).json(errorBody(error, String(res.getHeader('x-request-id') ?? '')));
  });
  app.use(errorHandler(satellite.logger));
  return { app, deviceTransport };
}
