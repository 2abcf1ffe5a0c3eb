import type { Clock } from '../../../licensing/shared/clock.js';
import type { IdGenerator } from '../../../licensing/shared/id-generator.js';
import type { UnitOfWork } from '../../../licensing/shared/unit-of-work.js';
import { AccessTokenService } from '../../../licensing/users/access-token-service.js';
import { ApiClientService } from '../../../licensing/users/api-client-service.js';
import type { AuthPolicy } from '../../../licensing/users/auth-policy.js';
import { SessionService } from '../../../licensing/users/session-service.js';
import { UserService } from '../../../licensing/users/user-service.js';
import { CredentialAuthenticator } from './credential-authenticator.js';

export interface AuthServices {
  authPolicy: AuthPolicy;
  users: UserService;
  sessions: SessionService;
  apiClients: ApiClientService;
  accessTokens: AccessTokenService;
  adminAuthenticator: CredentialAuthenticator;
}

/** The admin-authentication part of the composition root. */
export function composeAuthServices(deps: {
  uow: UnitOfWork; clock: Clock; newId: IdGenerator; policy: AuthPolicy; passwordChanged?: (username: string) => void;
}): AuthServices {
  const { uow, clock, newId, policy } = deps;
  const sessions = new SessionService({ uow, clock, policy });
  const accessTokens = new AccessTokenService({ uow, clock, policy });
  return {
    authPolicy: policy,
    users: new UserService({ uow, clock, newId, policy, ...(deps.passwordChanged ? { passwordChanged: deps.passwordChanged } : {}) }),
    sessions,
    apiClients: new ApiClientService({ uow, clock, newId }),
    accessTokens,
    adminAuthenticator: new CredentialAuthenticator({ accessTokens, sessions }),
  };
}
