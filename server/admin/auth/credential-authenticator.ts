import type { Request } from 'express';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import type { AccessTokenService } from '../../../licensing/users/access-token-service.js';
import type { SessionService } from '../../../licensing/users/session-service.js';
import type { AdminAuthenticator, Authentication } from '../admin-authenticator.js';
import { readSessionCookie } from './session-cookie.js';

const BEARER_SCHEME = /^Bearer(?: |$)/i;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Bearer tokens (API clients, and users through the password grant) and the session cookie (browsers). When
 * a Bearer Authorization header is present it alone decides, so a stale cookie cannot mask a bad token. Any
 * other scheme (HTTP Basic, ...) carries no credentials we accept: the caller is treated as anonymous,
 * which DESIGN §6 answers with 403.
 */
export class CredentialAuthenticator implements AdminAuthenticator {
  readonly #tokens: AccessTokenService;
  readonly #sessions: SessionService;

  constructor(deps: { accessTokens: AccessTokenService; sessions: SessionService }) {
    this.#tokens = deps.accessTokens;
    this.#sessions = deps.sessions;
  }

  authenticate(req: Request): Authentication | null {
    const header = req.get('authorization');
    if (header !== undefined) {
      if (!BEARER_SCHEME.test(header)) return null;
      const token = BEARER.exec(header)?.[1];
      if (!token) throw new DomainError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <access token>" (POST /backend/oauth/token)');
      return { principal: this.#tokens.resolve(token), via: 'bearer', csrfToken: null };
    }
    const sessionId = readSessionCookie(req);
    if (sessionId === null) return null;
    const active = this.#sessions.resolve(sessionId);
    if (active.user.mustChangePassword && !mayUseBeforePasswordChange(req, active.user.username)) {
      throw new DomainError('FORBIDDEN', `${active.user.username} must change their password first (PUT /backend/api/v1/users/${encodeURIComponent(active.user.username)}/password)`, {
        reason: 'PASSWORD_CHANGE_REQUIRED',
      });
    }
    return { principal: active.principal, via: 'session', csrfToken: active.csrfToken };
  }
}

/** A user with a one-time password may only see the session and replace the password. */
function mayUseBeforePasswordChange(req: Request, username: string): boolean {
  const match = /^(?:\/backend)?\/api\/v1\/(session|users\/([^/]+)\/password)\/?$/.exec(req.path);
  if (!match) return false;
  if (match[1] === 'session') return true;
  try {
    return decodeURIComponent(match[2] ?? '').toLowerCase() === username.toLowerCase();
  } catch {
    return false;
  }
}
