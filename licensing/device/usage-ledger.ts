import type { ProductInstance } from '../instances/product-instance.js';
import type { Repositories } from '../shared/unit-of-work.js';

/** Takes an instance's counts out of its pools; pool_usage must always equal the sum of entitlements. */
export function releaseInstanceUsage(repos: Repositories, instance: ProductInstance): void {
  for (const entitlement of repos.instances.listEntitlements(instance.id)) {
    if (entitlement.status === 'INVALID_TAG') continue;
    repos.licenses.addUsage(instance.virtualAccountId, entitlement.tag, {
      authorized: -entitlement.authorized, requested: -entitlement.requested, reserved: 0,
    });
  }
  repos.instances.deleteEntitlements(instance.id);
}
