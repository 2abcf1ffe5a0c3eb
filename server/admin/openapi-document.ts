import { z } from 'zod';
import type { AdminRouteSpec } from './admin-route.js';

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  }),
});

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // The document as a whole declares its dialect; nested schemas must not repeat $schema.
  const generated = { ...(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema) };
  delete generated.$schema;
  return generated;
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name, in: location, required: location === 'path' || required.has(name), schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

/** OpenAPI 3.1 for the whole admin tree, generated from the same zod schemas that validate requests. */
export interface RouteGroup {
  prefix: string;
  routes: readonly AdminRouteSpec[];
}

export function buildOpenApiDocument(groups: readonly RouteGroup[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorContent = { 'application/json': { schema: jsonSchema(errorResponseSchema, 'output') } };
  for (const { prefix, route } of groups.flatMap((g) => g.routes.map((r) => ({ prefix: g.prefix, route: r })))) {
    const path = `${prefix}${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
    const success = route.response === 'csv'
      ? { description: 'CSV export', content: { 'text/csv': { schema: { type: 'string' } } } }
      : route.response === 'zip'
        ? { description: 'Zip archive (streamed)', content: { 'application/zip': { schema: { type: 'string', contentMediaType: 'application/zip' } } } }
        : { description: 'Success', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } };
    const bodyTypes = route.body ? {
      'application/json': { schema: jsonSchema(route.body, 'input') },
      ...(route.acceptsForm ? { 'application/x-www-form-urlencoded': { schema: jsonSchema(route.body, 'input') } } : {}),
    } : null;
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      tags: [route.tag],
      ...(route.access === 'public' ? { security: [] } : { 'x-minimum-role': route.access }),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(bodyTypes ? { requestBody: { required: true, content: bodyTypes } } : {}),
      responses: {
        [String(route.successStatus ?? 200)]: route.successStatus === 204 ? { description: 'Done' } : success,
        400: { description: 'Invalid request (the message names the field)', content: route.errorResponse ? { 'application/json': { schema: jsonSchema(route.errorResponse, 'output') } } : errorContent },
        ...(route.access === 'public' ? {} : {
          401: { description: 'Invalid, expired or revoked bearer token or session (WWW-Authenticate: Bearer)', content: errorContent },
          403: { description: 'No credentials, credentials other than a bearer token or session (e.g. HTTP Basic), or a role or account scope that does not allow this', content: errorContent },
        }),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'License Satellite admin API',
      version,
      description: 'SSM On-Prem API-toolkit compatible. Every path is also served under /api/v1 instead of /backend/api/v1.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'POST /backend/oauth/token (client credentials, or the password grant)' },
        session: { type: 'apiKey', in: 'cookie', name: 'satellite_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
