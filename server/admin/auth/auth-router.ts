import { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import type { Satellite } from '../../composition-root.js';
import { ADMIN_API_PREFIXES, adminRouter } from '../admin-router.js';
import { OAUTH_ALIAS_PREFIX, OAUTH_PREFIX, OAUTH_TOKEN_PATHS, oauthErrorHandler, oauthTokenRoutes } from './oauth-token-routes.js';
import { SESSION_PATH } from './session-routes.js';

export interface AuthRouterOptions {
  /** Sign-in and token requests per minute per client address; 0 turns the limit off. */
  authRateLimitPerMinute: number;
}

/**
 * The OAuth token endpoint (also at /oauth/token) with its RFC 6749 error answers, and a per-address rate
 * limit in front of both places that check a secret (sign-in and token). Mount before the admin router: the
 * limiter passes allowed requests on to it.
 */
export function authRouter(satellite: Satellite, options: AuthRouterOptions): Router {
  const router = Router();
  if (options.authRateLimitPerMinute > 0) {
    const limiter: RequestHandler = rateLimit({
      windowMs: 60_000,
      limit: options.authRateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, _res, next) => {
        next(new DomainError('RATE_LIMITED', 'too many sign-in or token requests from this address; retry later'));
      },
    });
    for (const path of OAUTH_TOKEN_PATHS) router.post(path, limiter);
    for (const prefix of ADMIN_API_PREFIXES) router.post(`${prefix}${SESSION_PATH}`, limiter);
  }
  router.use(adminRouter(oauthTokenRoutes(satellite), { authenticator: satellite.adminAuthenticator, prefixes: [OAUTH_PREFIX, OAUTH_ALIAS_PREFIX] }));
  router.use([...OAUTH_TOKEN_PATHS], oauthErrorHandler());
  return router;
}
