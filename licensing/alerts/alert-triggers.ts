import type { ProductInstance } from '../instances/product-instance.js';
import type { Repositories } from '../shared/unit-of-work.js';

/**
 * Targeted re-evaluation that licensing services run inside their own write transaction, so an alert is
 * raised or cleared atomically with the change that caused it. Implementations must stay cheap: AUTHORIZE
 * calls these on the device hot path.
 */
export interface AlertTriggers {
  /**
   * The consumed, reserved or purchased numbers of these pools changed. Implementations re-evaluate them with
   * every tier of their ladders (substitution makes balances depend on each other) and record the usage history.
   */
  poolsChanged(repos: Repositories, virtualAccountId: string, tags: readonly string[], now: number): void;
  /** The instance renewed its authorization; `previous` is its state before this report. */
  instanceAuthorized(repos: Repositories, previous: ProductInstance, now: number): void;
  /** The instance no longer holds an authorization (deregistered, removed, re-registered). */
  authorizationCleared(repos: Repositories, instanceId: string, now: number): void;
  /** The instance's inventory state changed (out of compliance, authorization or registration expired, or back). */
  instanceStateChanged(repos: Repositories, instance: ProductInstance, now: number): void;
  /** A token was created, revoked or used. */
  tokenChanged(repos: Repositories, tokenId: string, now: number): void;
}

export const noAlertTriggers: AlertTriggers = {
  poolsChanged: () => undefined,
  instanceAuthorized: () => undefined,
  authorizationCleared: () => undefined,
  instanceStateChanged: () => undefined,
  tokenChanged: () => undefined,
};
