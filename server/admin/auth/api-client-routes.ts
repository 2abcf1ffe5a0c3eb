import { z } from 'zod';
import { requireUserAdministrator } from '../../../licensing/users/actor.js';
import type { Satellite } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { accountScopeSchema, apiClientView, apiClientViewSchema, roleSchema } from './auth-views.js';
import { requirePrincipal } from './user-routes.js';

const createSchema = z.object({
  name: z.string().min(1).max(100),
  role: roleSchema,
  accountScope: accountScopeSchema.optional(),
}).strict();

const createdSchema = z.object({
  apiClient: apiClientViewSchema,
  clientId: z.string(),
  clientSecret: z.string().describe('shown only in this answer; only a digest is stored'),
});

/** OAuth client-credentials clients for monitoring and automation (admins without an account scope, reads included). */
export function apiClientRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/api-clients', summary: 'List API clients (without secrets)', tag: 'API clients', access: 'admin',
      response: z.object({ apiClients: z.array(apiClientViewSchema) }),
      handler: ({ principal }) => {
        requireUserAdministrator(requirePrincipal(principal));
        return { apiClients: satellite.apiClients.list().map((client) => apiClientView(satellite, client)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api-clients', summary: 'Create an API client; its secret is shown once', tag: 'API clients',
      access: 'admin', successStatus: 201, body: createSchema, response: createdSchema,
      handler: ({ body, principal }) => {
        const { client, clientSecret } = satellite.apiClients.create(
          { name: body.name, role: body.role, accountScope: body.accountScope ?? null }, requirePrincipal(principal),
        );
        return { apiClient: apiClientView(satellite, client), clientId: client.id, clientSecret };
      },
    }),
    defineRoute({
      method: 'get', path: '/api-clients/:clientId', summary: 'Get an API client', tag: 'API clients', access: 'admin',
      params: z.object({ clientId: z.string().min(1).max(200) }), response: apiClientViewSchema,
      handler: ({ params, principal }) => {
        requireUserAdministrator(requirePrincipal(principal));
        return apiClientView(satellite, satellite.apiClients.get(params.clientId));
      },
    }),
    defineRoute({
      method: 'delete', path: '/api-clients/:clientId', summary: 'Revoke an API client and every token it holds', tag: 'API clients',
      access: 'admin', params: z.object({ clientId: z.string().min(1).max(200) }), response: z.undefined(), successStatus: 204,
      handler: ({ params, principal }) => {
        satellite.apiClients.revoke(params.clientId, requirePrincipal(principal));
      },
    }),
  ];
}
