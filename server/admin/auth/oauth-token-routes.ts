import type { ErrorRequestHandler, Request, Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import type { OAuthErrorCode } from '../../../licensing/users/access-token-service.js';
import type { Satellite } from '../../composition-root.js';
import { httpStatusFor, toDomainError } from '../../http/error-mapper.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';

/** Mounted outside the API tree, where the SSM On-Prem API toolkit expects it (DESIGN §6). */
export const OAUTH_PREFIX = '/backend/oauth';
export const OAUTH_TOKEN_PATH = `${OAUTH_PREFIX}/token`;
/** Clients seen in the wild also ask at /oauth/token, without /backend (DESIGN §6). */
export const OAUTH_ALIAS_PREFIX = '/oauth';
export const OAUTH_TOKEN_PATHS = [OAUTH_TOKEN_PATH, `${OAUTH_ALIAS_PREFIX}/token`] as const;

const field = (max: number) => z.string().min(1).max(max).optional();
const PARAMETERS = {
  grant_type: field(100).describe("'client_credentials', or 'password' with username and password beside the client credentials"),
  client_id: field(200),
  client_secret: field(500),
  username: field(200).describe('password grant: the user whose role and account scope the token gets'),
  password: field(256),
  // Accepted and ignored: the client's (or, for the password grant, the user's) role and scope decide.
  scope: field(1000),
};
type ParameterName = keyof typeof PARAMETERS;
/** Every parameter may come in the body (JSON or form) or in the query; unknown ones are ignored (RFC 6749 §3.2). */
const tokenParametersSchema = z.object(PARAMETERS);

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().describe('seconds until the token expires'),
});

/** RFC 6749 §5.2: the token endpoints answer errors in OAuth's shape, not the project's. */
export const oauthErrorSchema = z.object({
  error: z.enum(['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type', 'slow_down']),
  error_description: z.string(),
});

function refusal(error: OAuthErrorCode, message: string): DomainError {
  return new DomainError(error === 'invalid_client' ? 'UNAUTHENTICATED' : 'VALIDATION_FAILED', message, { oauthError: error });
}

/** Body and query merged; a parameter sent twice with different values is refused rather than guessed. */
function tokenParameters(req: Request): z.output<typeof tokenParametersSchema> {
  const body: unknown = req.body ?? {};
  const merged: Record<string, unknown> = {};
  for (const name of Object.keys(PARAMETERS) as ParameterName[]) {
    const inBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
    const inQuery = (req.query as Record<string, unknown>)[name];
    if (inBody !== undefined && inQuery !== undefined && inBody !== inQuery) {
      throw refusal('invalid_request', `${name} is given in both the body and the query, with different values`);
    }
    merged[name] = inBody ?? inQuery;
  }
  const parsed = tokenParametersSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refusal('invalid_request', `${issue?.path.join('.') ?? 'request'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

interface ClientCredentials { clientId: string; clientSecret: string; viaBasic: boolean }

/** RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret, or both as parameters; never both ways. */
function clientCredentials(req: Request, params: z.output<typeof tokenParametersSchema>): ClientCredentials {
  const header = req.get('authorization');
  if (header !== undefined) {
    const encoded = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header)?.[1];
    const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) throw refusal('invalid_client', 'the Authorization header must be HTTP Basic with client_id:client_secret');
    if (params.client_secret !== undefined) throw refusal('invalid_request', 'send the client credentials either with HTTP Basic or as parameters, not both');
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)), viaBasic: true };
  }
  if (params.client_id === undefined) throw refusal('invalid_request', 'client_id is required (in the body, the query or HTTP Basic)');
  if (params.client_secret === undefined) throw refusal('invalid_request', 'client_secret is required (in the body, the query or HTTP Basic)');
  return { clientId: params.client_id, clientSecret: params.client_secret, viaBasic: false };
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

async function issue(satellite: Satellite, req: Request): Promise<z.output<typeof tokenResponseSchema>> {
  const params = tokenParameters(req);
  if (params.grant_type === undefined) throw refusal('invalid_request', "grant_type is required: 'client_credentials' or 'password'");
  if (params.grant_type !== 'client_credentials' && params.grant_type !== 'password') {
    throw refusal('unsupported_grant_type', `grant_type '${params.grant_type}' is not supported; use 'client_credentials' or 'password'`);
  }
  const credentials = clientCredentials(req, params);
  const meta = { address: req.ip ?? '' };
  if (params.grant_type === 'client_credentials') {
    const issued = satellite.accessTokens.issue(credentials.clientId, credentials.clientSecret, meta);
    return { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresIn };
  }
  if (params.username === undefined) throw refusal('invalid_request', 'username is required for grant_type password');
  if (params.password === undefined) throw refusal('invalid_request', 'password is required for grant_type password');
  const issued = await satellite.accessTokens.issueForUser(credentials, params.username, params.password, meta);
  return { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresIn };
}

export function oauthTokenRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/token',
      summary: 'Get a bearer token: client credentials, or the password grant (JSON, form, query parameters or HTTP Basic); also at /oauth/token',
      tag: 'Authentication',
      access: 'public',
      acceptsForm: true,
      body: tokenParametersSchema,
      response: tokenResponseSchema,
      errorResponse: oauthErrorSchema,
      handler: ({ req, res }) => {
        // RFC 6749 §5.1: responses carrying tokens must not be cached (Cache-Control comes from the router).
        res.set('Pragma', 'no-cache');
        return issue(satellite, req);
      },
    }),
  ];
}

function oauthErrorOf(error: DomainError): OAuthErrorCode | 'slow_down' {
  const named = error.details?.oauthError;
  if (named === 'invalid_request' || named === 'invalid_client' || named === 'invalid_grant' || named === 'unsupported_grant_type') return named;
  if (error.code === 'RATE_LIMITED') return 'slow_down';
  return error.code === 'UNAUTHENTICATED' ? 'invalid_client' : 'invalid_request';
}

/**
 * Answers every refusal of the token endpoints, body-parser failures and the rate limit included, in RFC
 * 6749's shape. invalid_client is 401 (with a Basic challenge when Basic was tried), the other OAuth errors
 * 400, unless the failure has a more precise status (413, 415, 429).
 */
export function oauthErrorHandler(): ErrorRequestHandler {
  return (error, req, res: Response, next) => {
    const domain = toDomainError(error);
    if (!domain) {
      next(error);
      return;
    }
    const code = oauthErrorOf(domain);
    const mapped = httpStatusFor(domain);
    const status = code === 'invalid_client' ? 401 : [413, 415, 429].includes(mapped) ? mapped : 400;
    if (code === 'invalid_client' && /^Basic\b/i.test(req.get('authorization') ?? '')) {
      res.set('WWW-Authenticate', 'Basic realm="License Satellite", charset="UTF-8"');
    }
    const retryAfter = domain.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    res.status(status).json({ error: code, error_description: domain.message });
  };
}
