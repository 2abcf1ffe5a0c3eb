/** Compliance of a pool after substitution: short exactly when its balance is negative (DESIGN §8.1). */
export type PoolStatus = 'IN_COMPLIANCE' | 'INSUFFICIENT';

export function poolStatus(balance: number): PoolStatus {
  return balance < 0 ? 'INSUFFICIENT' : 'IN_COMPLIANCE';
}

/**
 * Usage counters kept per VA and tag, in the same transaction as the entitlements behind them.
 * requested: seats the VA's registered product instances last reported (what counts as consumed);
 * authorized: those of them answered AUTHORIZED at their instance's last report;
 * reserved: seats held by reservations (written by the reservation engine).
 */
export interface PoolUsage {
  authorized: number;
  requested: number;
  reserved: number;
}
