import type { Request } from 'express';
import { z } from 'zod';
import { DomainError, ValidationError } from '../../../licensing/shared/domain-error.js';
import type { Satellite } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';

/** Mounted outside the API tree, where the SSM On-Prem API toolkit expects it (DESIGN §6). */
export const OAUTH_PREFIX = '/backend/oauth';
export const OAUTH_TOKEN_PATH = `${OAUTH_PREFIX}/token`;

const tokenRequestSchema = z.object({
  grant_type: z.literal('client_credentials', { error: "grant_type must be 'client_credentials'" }),
  client_id: z.string().min(1).max(200).optional(),
  client_secret: z.string().min(1).max(500).optional(),
  // Accepted and ignored: a client's role and account scope decide what its token may do.
  scope: z.string().max(1000).optional(),
});

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().describe('seconds until the token expires'),
});

interface ClientCredentials { clientId: string; clientSecret: string; viaBasic: boolean }

/** RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret, or both in the body; never both ways. */
function clientCredentials(req: Request, body: z.output<typeof tokenRequestSchema>): ClientCredentials {
  const header = req.get('authorization');
  if (header !== undefined) {
    const encoded = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header)?.[1];
    const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new DomainError('UNAUTHENTICATED', 'the Authorization header must be HTTP Basic with client_id:client_secret');
    if (body.client_secret !== undefined) {
      throw new ValidationError('send the client credentials either with HTTP Basic or in the body, not both', { field: 'body.client_secret' });
    }
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)), viaBasic: true };
  }
  if (body.client_id === undefined) throw new ValidationError('body.client_id: required (or use HTTP Basic client authentication)', { field: 'body.client_id' });
  if (body.client_secret === undefined) throw new ValidationError('body.client_secret: required (or use HTTP Basic client authentication)', { field: 'body.client_secret' });
  return { clientId: body.client_id, clientSecret: body.client_secret, viaBasic: false };
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

export function oauthTokenRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/token',
      summary: 'Get a bearer token with OAuth2 client credentials (JSON, form or HTTP Basic)',
      tag: 'Authentication',
      access: 'public',
      acceptsForm: true,
      body: tokenRequestSchema,
      response: tokenResponseSchema,
      handler: ({ body, req, res }) => {
        const credentials = clientCredentials(req, body);
        // RFC 6749 §5.1: responses carrying tokens must not be cached (Cache-Control comes from the router).
        res.set('Pragma', 'no-cache');
        try {
          const issued = satellite.accessTokens.issue(credentials.clientId, credentials.clientSecret, { address: req.ip ?? '' });
          return { access_token: issued.accessToken, token_type: 'bearer' as const, expires_in: issued.expiresIn };
        } catch (error) {
          if (credentials.viaBasic && error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
            res.set('WWW-Authenticate', 'Basic realm="License Satellite", charset="UTF-8"');
          }
          throw error;
        }
      },
    }),
  ];
}
