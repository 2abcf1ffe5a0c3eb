import type { Request } from 'express';
import type { Principal } from '../../licensing/users/principal.js';

export interface Authentication {
  principal: Principal;
  via: 'bearer' | 'session';
  /** The session's CSRF token; state-changing requests over a session must echo it in x-csrf-token. */
  csrfToken: string | null;
}

/**
 * Resolves the credentials of an admin request. Returns null when the request carries none we accept (the
 * router answers 403); throws a DomainError('UNAUTHENTICATED') when it carries bad or expired ones (401).
 */
export interface AdminAuthenticator {
  authenticate(req: Request): Authentication | null;
}
