import type { RegistrationToken } from './registration-token.js';

export interface TokenRepository {
  insert(token: RegistrationToken): void;
  findById(id: string): RegistrationToken | undefined;
  findByDigest(secretDigest: string): RegistrationToken | undefined;
  listByVirtualAccount(virtualAccountId: string): RegistrationToken[];
  /** Increments uses only while below max uses; returns false when the token was already exhausted. */
  consumeUse(id: string): boolean;
  revoke(id: string, at: number): void;
}
