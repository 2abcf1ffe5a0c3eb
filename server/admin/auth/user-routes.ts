import { z } from 'zod';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { requireUserAdministrator } from '../../../licensing/users/actor.js';
import { MAX_PASSWORD_LENGTH } from '../../../licensing/users/password-digest.js';
import { digestSecret } from '../../../licensing/users/secret-digest.js';
import type { Satellite } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { accountScopeSchema, roleSchema, userView, userViewSchema } from './auth-views.js';
import { readSessionCookie } from './session-cookie.js';

const usernameParams = z.object({ username: z.string().min(1).max(200) });
const password = z.string().max(MAX_PASSWORD_LENGTH);

const createSchema = z.object({
  username: z.string().min(1).max(64),
  role: roleSchema,
  accountScope: accountScopeSchema.optional(),
  password: password.optional().describe('omit to have one generated and returned once'),
  mustChangePassword: z.boolean().optional().describe('defaults to true when the password is generated'),
}).strict();

const updateSchema = z.object({
  role: roleSchema.optional(),
  accountScope: accountScopeSchema.optional(),
  disabled: z.boolean().optional().describe('disabling ends the user\'s sessions; enabling also lifts a lockout'),
  mustChangePassword: z.boolean().optional(),
}).strict().refine((body) => Object.keys(body).length > 0, { message: 'name at least one of role, accountScope, disabled, mustChangePassword' });

const passwordSchema = z.object({
  currentPassword: password.optional().describe('required when changing your own password'),
  newPassword: password,
}).strict();

const createdSchema = z.object({
  user: userViewSchema,
  password: z.string().nullable().describe('the generated password, shown only in this answer; null when you chose one'),
});

/** User management, reads included (admins without an account scope); any user may change their own password. */
export function userRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/users', summary: 'List users', tag: 'Users', access: 'admin',
      response: z.object({ users: z.array(userViewSchema) }),
      handler: ({ principal }) => {
        requireUserAdministrator(requirePrincipal(principal));
        return { users: satellite.users.list().map((user) => userView(satellite, user)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/users', summary: 'Create a user', tag: 'Users', access: 'admin', successStatus: 201,
      body: createSchema, response: createdSchema,
      handler: async ({ body, principal }) => {
        const { user, generatedPassword } = await satellite.users.create({
          username: body.username, role: body.role, accountScope: body.accountScope ?? null,
          ...(body.password !== undefined ? { password: body.password } : {}),
          ...(body.mustChangePassword !== undefined ? { mustChangePassword: body.mustChangePassword } : {}),
        }, requirePrincipal(principal));
        return { user: userView(satellite, user), password: generatedPassword };
      },
    }),
    defineRoute({
      method: 'get', path: '/users/:username', summary: 'Get a user', tag: 'Users', access: 'admin',
      params: usernameParams, response: userViewSchema,
      handler: ({ params, principal }) => {
        requireUserAdministrator(requirePrincipal(principal));
        return userView(satellite, satellite.users.get(params.username));
      },
    }),
    defineRoute({
      method: 'patch', path: '/users/:username', summary: 'Change a user\'s role, account scope or disabled flag', tag: 'Users',
      access: 'admin', params: usernameParams, body: updateSchema, response: userViewSchema,
      handler: ({ params, body, principal }) => {
        const changes = {
          ...(body.role !== undefined ? { role: body.role } : {}),
          ...(body.accountScope !== undefined ? { accountScope: body.accountScope } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
          ...(body.mustChangePassword !== undefined ? { mustChangePassword: body.mustChangePassword } : {}),
        };
        return userView(satellite, satellite.users.update(params.username, changes, requirePrincipal(principal)));
      },
    }),
    defineRoute({
      method: 'delete', path: '/users/:username', summary: 'Delete a user (ends their sessions)', tag: 'Users', access: 'admin',
      params: usernameParams, response: z.undefined(), successStatus: 204,
      handler: ({ params, principal }) => {
        satellite.users.delete(params.username, requirePrincipal(principal));
      },
    }),
    defineRoute({
      method: 'put', path: '/users/:username/password',
      summary: 'Change a password: your own with the current one, or anyone\'s as an admin', tag: 'Users',
      access: 'viewer', params: usernameParams, body: passwordSchema, response: z.undefined(), successStatus: 204,
      handler: async ({ params, body, principal, req }) => {
        const sessionId = req.get('authorization') === undefined ? readSessionCookie(req) : null;
        await satellite.users.changePassword(params.username, {
          newPassword: body.newPassword, ...(body.currentPassword !== undefined ? { currentPassword: body.currentPassword } : {}),
        }, requirePrincipal(principal), sessionId === null ? null : digestSecret(sessionId));
      },
    }),
  ];
}

export function requirePrincipal<P>(principal: P | null): P {
  if (principal === null) throw new DomainError('UNAUTHENTICATED', 'sign in or send a bearer token');
  return principal;
}
