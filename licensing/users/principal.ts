/** Who is calling the admin surface: a signed-in user or an API client (DESIGN §3, §6). */
export type Role = 'admin' | 'operator' | 'viewer';

export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface Principal {
  kind: 'user' | 'api-client';
  id: string;
  name: string;
  role: Role;
  /** Account ids this principal may see; null means every account. */
  accountScope: string[] | null;
}

export function hasRole(principal: Principal, minimum: Role): boolean {
  return RANK[principal.role] >= RANK[minimum];
}

export function canAccessAccount(principal: Principal, accountId: string): boolean {
  return principal.accountScope === null || principal.accountScope.includes(accountId);
}
