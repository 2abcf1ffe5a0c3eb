import type { AuthorizationOutcome } from '../../licensing/device/authorization-service.js';
import type { IdentityOutcome } from '../../licensing/device/identity-outcome.js';
import type { AuthorizeResponseBody, IdentityResponseBody } from '../../protocol/device-message.js';

export function identityBody(outcome: IdentityOutcome, chain: string[]): Record<string, unknown> {
  const body: IdentityResponseBody = {
    id_certificate: outcome.certificate.pem,
    certificate_chain: chain,
    registration: {
      status: 'REGISTERED',
      registered_at: outcome.instance.registeredAt,
      expires_at: outcome.certificate.notAfter,
      next_renewal_at: outcome.nextRenewalAt,
    },
    smart_account: outcome.account.name,
    virtual_account: outcome.virtualAccount.name,
    export_control: outcome.exportControlAllowed ? 'ALLOWED' : 'NOT_ALLOWED',
  };
  return { ...body };
}

export function authorizeBody(outcome: AuthorizationOutcome): Record<string, unknown> {
  const body: AuthorizeResponseBody = {
    authorization: {
      status: outcome.status,
      authorized_at: outcome.authorizedAt,
      expires_at: outcome.expiresAt,
      next_renewal_at: outcome.nextRenewalAt,
      entitlements: outcome.entitlements.map((e) => ({
        tag: e.tag, requested: e.requested, status: e.status, display_name: e.displayName, description: e.description,
      })),
    },
  };
  return { ...body };
}
