import type { AccessToken, ApiClient } from './api-client.js';

export interface ApiClientRepository {
  insert(client: ApiClient): void;
  findById(id: string): ApiClient | undefined;
  list(): ApiClient[];
  revoke(id: string, at: number): void;
  touch(id: string, at: number): void;
}

export interface AccessTokenRepository {
  insert(token: AccessToken): void;
  findByDigest(tokenDigest: string): AccessToken | undefined;
  deleteByClient(clientId: string): number;
  prune(now: number): number;
}
