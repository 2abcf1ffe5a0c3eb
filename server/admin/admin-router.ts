import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { DomainError, ValidationError } from '../../licensing/shared/domain-error.js';
import { hasRole } from '../../licensing/users/principal.js';
import type { AdminAuthenticator } from './admin-authenticator.js';
import { CsvDocument, CsvStream, JsonText, type AdminRouteSpec } from './admin-route.js';

/** The API toolkit's tree lives under both prefixes, identically (DESIGN §6). */
export const ADMIN_API_PREFIXES = ['/backend/api/v1', '/api/v1'] as const;

export interface AdminRouterDeps {
  authenticator: AdminAuthenticator;
  bodyLimitBytes?: number;
  /** Where the routes are mounted; the API tree by default. The OAuth token endpoint lives elsewhere. */
  prefixes?: readonly string[];
}

export function adminRouter(routes: readonly AdminRouteSpec[], deps: AdminRouterDeps): Router {
  const router = Router();
  const limit = deps.bodyLimitBytes ?? 256 * 1024;
  const json = express.json({ limit, type: ['application/json', 'application/*+json'] });
  const form = express.urlencoded({ limit, extended: false });
  for (const route of routes) {
    const handlers: RequestHandler[] = [json, ...(route.acceptsForm ? [form] : []), requireReadableBody(route), serve(route, deps)];
    for (const prefix of deps.prefixes ?? ADMIN_API_PREFIXES) router[route.method](`${prefix}${route.path}`, ...handlers);
  }
  return router;
}

function serve(route: AdminRouteSpec, deps: AdminRouterDeps): RequestHandler {
  return async (req, res, next) => {
    // Admin answers are per principal, and some carry a secret shown once (tokens, client secrets, generated
    // passwords, CSRF tokens): no cache may keep any of them.
    res.set('Cache-Control', 'no-store');
    try {
      let principal = null;
      if (route.access !== 'public') {
        const auth = authenticate(deps.authenticator, req, res);
        if (!auth) {
          // DESIGN §6: 403, not 401, without credentials; the WWT Ansible module waits for exactly that.
          throw new DomainError('FORBIDDEN', 'sign in or send a bearer token (POST /backend/oauth/token)', { reason: 'CREDENTIALS_REQUIRED' });
        }
        if (auth.via === 'session' && route.method !== 'get' && req.get('x-csrf-token') !== auth.csrfToken) {
          throw new DomainError('FORBIDDEN', 'missing or wrong x-csrf-token header for a session request');
        }
        if (!hasRole(auth.principal, route.access)) {
          throw new DomainError('FORBIDDEN', `this needs the ${route.access} role; ${auth.principal.name} is ${auth.principal.role}`);
        }
        principal = auth.principal;
      }
      const result = await route.handler({
        params: parse(route.params, req.params, 'path'),
        query: parse(route.query, req.query, 'query'),
        body: parse(route.body, req.body ?? {}, 'body'),
        principal,
        req,
        res,
      });
      if (res.headersSent) return;
      await send(res, route, result);
    } catch (error) {
      next(error);
    }
  };
}

/** Bad or expired credentials are a 401 with the challenge RFC 6750 §3 asks for. */
function authenticate(authenticator: AdminAuthenticator, req: Request, res: Response): ReturnType<AdminAuthenticator['authenticate']> {
  try {
    return authenticator.authenticate(req);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
      const bearer = req.get('authorization') !== undefined;
      res.set('WWW-Authenticate', `Bearer realm="License Satellite"${bearer ? ', error="invalid_token"' : ''}`);
    }
    throw error;
  }
}

async function send(res: Response, route: AdminRouteSpec, result: unknown): Promise<void> {
  if (result instanceof CsvStream) {
    await streamCsv(res, result);
    return;
  }
  if (result instanceof JsonText) {
    res.status(route.successStatus ?? 200).type('application/json; charset=utf-8')
      .send(typeof result.json === 'string' ? result.json : Buffer.from(result.json.buffer, result.json.byteOffset, result.json.byteLength));
    return;
  }
  if (result instanceof CsvDocument) {
    res.status(200).type('text/csv; charset=utf-8').attachment(result.filename).send(result.text);
    return;
  }
  const status = route.successStatus ?? 200;
  if (status === 204 || result === undefined) {
    res.status(status === 200 ? 204 : status).end();
    return;
  }
  res.status(status).json(result);
}

/**
 * Headers go out with the first chunk, so an error before it is an ordinary error answer; after it, a failure
 * can only destroy the connection (the client sees an incomplete transfer, never a short file that looks
 * whole). Writes wait for 'drain', so a slow reader holds one chunk, not the export; a client that goes away
 * ends the iteration.
 */
async function streamCsv(res: Response, csv: CsvStream): Promise<void> {
  const chunks = csv.chunks[Symbol.asyncIterator]();
  try {
    let step = await chunks.next();
    res.status(200).type('text/csv; charset=utf-8').attachment(csv.filename);
    try {
      for (; !step.done && !res.destroyed; step = await chunks.next()) {
        if (!res.write(step.value)) await drained(res);
      }
      res.end();
    } catch (error) {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  } finally {
    await chunks.return?.(undefined);
  }
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  throw new ValidationError(first ? `${first.field}: ${first.message}` : `invalid ${where}`, { field: first?.field, issues });
}

/** A body in a type we do not read would silently become {}; refuse it instead. */
function requireReadableBody(route: AdminRouteSpec): RequestHandler {
  return (req: Request, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || req.method === 'GET' || req.is(['application/json', 'application/*+json'])
      || (route.acceptsForm && req.is('application/x-www-form-urlencoded'))
      || (route.acceptsBinary !== undefined && req.is([...route.acceptsBinary]))) {
      next();
      return;
    }
    next(new DomainError('UNSUPPORTED_MEDIA_TYPE',
      `Content-Type '${req.get('content-type') ?? '(none)'}' is not accepted; send application/json${route.acceptsForm ? ' or a form' : ''}`));
  };
}
