import { z } from 'zod';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { MAX_PASSWORD_LENGTH } from '../../../licensing/users/password-digest.js';
import type { Satellite } from '../../composition-root.js';
import { isoTime } from '../shared/request-fields.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { roleSchema, userView, userViewSchema } from './auth-views.js';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from './session-cookie.js';

export const SESSION_PATH = '/session';

const loginSchema = z.object({
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

const time = z.string().describe('ISO 8601 UTC');

const signedInSchema = z.object({
  user: userViewSchema,
  csrfToken: z.string().describe('send it back in the x-csrf-token header of every state-changing request'),
  idleExpiresAt: time,
  expiresAt: time,
});

const whoamiSchema = z.object({
  via: z.enum(['session', 'bearer']),
  principal: z.object({ kind: z.enum(['user', 'api-client']), id: z.string(), name: z.string(), role: roleSchema }),
  user: userViewSchema.nullable(),
  csrfToken: z.string().nullable(),
  idleExpiresAt: time.nullable(),
  expiresAt: time.nullable(),
});

/** Browser sign-in, sign-out and "who am I" (the session cookie is httpOnly, SameSite=Strict). */
export function sessionRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'post', path: SESSION_PATH, summary: 'Sign in with username and password; sets the session cookie', tag: 'Authentication',
      access: 'public', acceptsForm: true, body: loginSchema, response: signedInSchema,
      handler: async ({ body, req, res }) => {
        let signedIn;
        try {
          signedIn = await satellite.sessions.login(body.username, body.password, { address: req.ip ?? '' });
        } catch (error) {
          const retryAfter = error instanceof DomainError ? error.details?.retryAfterSeconds : undefined;
          if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
          throw error;
        }
        setSessionCookie(req, res, signedIn.sessionId);
        return {
          user: userView(satellite, signedIn.user), csrfToken: signedIn.csrfToken,
          idleExpiresAt: isoTime(signedIn.idleExpiresAt), expiresAt: isoTime(signedIn.expiresAt),
        };
      },
    }),
    defineRoute({
      method: 'get', path: SESSION_PATH, summary: 'Who am I: the signed-in user or API client, and the CSRF token', tag: 'Authentication',
      access: 'viewer', response: whoamiSchema,
      handler: ({ principal, req }) => {
        if (!principal) throw new DomainError('UNAUTHENTICATED', 'not signed in');
        const { kind, id, name, role } = principal;
        const sessionId = req.get('authorization') === undefined ? readSessionCookie(req) : null;
        if (sessionId === null) {
          const user = kind === 'user' ? userView(satellite, satellite.users.get(name)) : null;
          return { via: 'bearer' as const, principal: { kind, id, name, role }, user, csrfToken: null, idleExpiresAt: null, expiresAt: null };
        }
        const active = satellite.sessions.resolve(sessionId);
        return {
          via: 'session' as const, principal: { kind, id, name, role }, user: userView(satellite, active.user),
          csrfToken: active.csrfToken, idleExpiresAt: isoTime(active.idleExpiresAt), expiresAt: isoTime(active.session.expiresAt),
        };
      },
    }),
    defineRoute({
      method: 'delete', path: SESSION_PATH, summary: 'Sign out: ends the session and clears the cookie', tag: 'Authentication',
      access: 'viewer', response: z.undefined(), successStatus: 204,
      handler: ({ req, res }) => {
        const sessionId = readSessionCookie(req);
        if (sessionId !== null && req.get('authorization') === undefined) {
          satellite.sessions.logout(sessionId);
          clearSessionCookie(req, res);
        }
      },
    }),
  ];
}
