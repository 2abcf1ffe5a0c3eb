import type { AlertTriggers } from '../alerts/alert-triggers.js';
import type { EventType } from '../events/satellite-event.js';
import type { Repositories } from '../shared/unit-of-work.js';
import type { AuthorizationState, ProductInstance } from './product-instance.js';

/** The inventory states of DESIGN §8.1 that an admin must hear about, entering and leaving. */
const NOTABLE: ReadonlySet<AuthorizationState> = new Set(['OUT_OF_COMPLIANCE', 'AUTHORIZATION_EXPIRED', 'REGISTRATION_EXPIRED']);

const ENTERED: Partial<Record<AuthorizationState, EventType>> = {
  OUT_OF_COMPLIANCE: 'PRODUCT_INSTANCE_OUT_OF_COMPLIANCE',
  AUTHORIZATION_EXPIRED: 'PRODUCT_INSTANCE_AUTHORIZATION_EXPIRED',
  REGISTRATION_EXPIRED: 'PRODUCT_INSTANCE_REGISTRATION_EXPIRED',
};
const LEFT: Partial<Record<AuthorizationState, EventType>> = {
  OUT_OF_COMPLIANCE: 'PRODUCT_INSTANCE_BACK_IN_COMPLIANCE',
  AUTHORIZATION_EXPIRED: 'PRODUCT_INSTANCE_AUTHORIZATION_RESTORED',
  REGISTRATION_EXPIRED: 'PRODUCT_INSTANCE_REGISTRATION_RESTORED',
};

/**
 * Writes the event of an inventory state transition and lets the alert rules follow, inside the caller's
 * transaction. Transitions between the ordinary states (NOT_AUTHORIZED, AUTHORIZED, NO_LICENSES_IN_USE) are
 * the normal life of a device and write nothing.
 */
export function recordStateChange(
  repos: Repositories, alerts: AlertTriggers, before: ProductInstance, after: ProductInstance, now: number,
  reason: { message: string; details?: Record<string, unknown> },
): void {
  const from = before.authorizationState;
  const to = after.authorizationState;
  if (from === to || (!NOTABLE.has(from) && !NOTABLE.has(to))) return;
  const va = repos.accounts.findVirtualAccountById(after.virtualAccountId);
  const type: EventType = ENTERED[to] ?? LEFT[from] ?? 'PRODUCT_INSTANCE_STATE_CHANGED';
  repos.events.append({
    occurredAt: now, accountId: va?.accountId ?? null, virtualAccountId: after.virtualAccountId, actorType: 'system', actorId: null,
    type, message: `${after.udi.pid} ${after.udi.serialNumber} ${reason.message}`,
    details: { productInstanceId: after.id, from, to, ...reason.details },
  });
  alerts.instanceStateChanged(repos, after, now);
}
