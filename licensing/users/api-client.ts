import type { Principal, Role } from './principal.js';

/** A machine caller using OAuth2 client credentials (DESIGN §6). Its id is the OAuth client_id. */
export interface ApiClient {
  id: string;
  name: string;
  role: Role;
  /** Account ids; null means every account. */
  accountScope: string[] | null;
  /** sha256 of the client secret; the secret is shown once, at creation. */
  secretDigest: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** An issued bearer token, known only by its digest. */
export interface AccessToken {
  tokenDigest: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
}

export function principalOfClient(client: ApiClient): Principal {
  return { kind: 'api-client', id: client.id, name: client.name, role: client.role, accountScope: client.accountScope };
}
