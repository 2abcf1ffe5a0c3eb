import { z } from 'zod';
import { accountNamesForIds } from '../../../licensing/users/account-scope.js';
import type { AdminUser } from '../../../licensing/users/admin-user.js';
import type { ApiClient } from '../../../licensing/users/api-client.js';
import { ROLES } from '../../../licensing/users/principal.js';
import type { Satellite } from '../../composition-root.js';
import { isoTime, isoTimeOrNull } from '../shared/request-fields.js';

export const roleSchema = z.enum(ROLES as ['admin', 'operator', 'viewer']);

/** Account names in requests and answers; null (or omitted on create) means every account. */
export const accountScopeSchema = z.array(z.string().min(1).max(200)).max(1000).nullable()
  .describe('account names this principal may see; null means every account');

const time = z.string().describe('ISO 8601 UTC, like every time in the admin API');

export const userViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  accountScope: accountScopeSchema,
  mustChangePassword: z.boolean(),
  disabled: z.boolean(),
  lockedUntil: time.nullable(),
  lastLoginAt: time.nullable(),
  passwordChangedAt: time,
  createdAt: time,
  updatedAt: time,
});

export const apiClientViewSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  role: roleSchema,
  accountScope: accountScopeSchema,
  createdAt: time,
  createdBy: z.string(),
  revokedAt: time.nullable(),
  lastUsedAt: time.nullable(),
});

export type UserView = z.output<typeof userViewSchema>;
export type ApiClientView = z.output<typeof apiClientViewSchema>;

/** Never includes the password digest. */
export function userView(satellite: Satellite, user: AdminUser): UserView {
  return {
    id: user.id, username: user.username, role: user.role,
    accountScope: satellite.uow.read((repos) => accountNamesForIds(repos, user.accountScope)),
    mustChangePassword: user.mustChangePassword, disabled: user.disabled, lockedUntil: isoTimeOrNull(user.lockedUntil),
    lastLoginAt: isoTimeOrNull(user.lastLoginAt), passwordChangedAt: isoTime(user.passwordChangedAt),
    createdAt: isoTime(user.createdAt), updatedAt: isoTime(user.updatedAt),
  };
}

/** Never includes the secret digest. */
export function apiClientView(satellite: Satellite, client: ApiClient): ApiClientView {
  return {
    clientId: client.id, name: client.name, role: client.role,
    accountScope: satellite.uow.read((repos) => accountNamesForIds(repos, client.accountScope)),
    createdAt: isoTime(client.createdAt), createdBy: client.createdBy, revokedAt: isoTimeOrNull(client.revokedAt),
    lastUsedAt: isoTimeOrNull(client.lastUsedAt),
  };
}
