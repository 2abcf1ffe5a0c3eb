/** The numbers of DESIGN §3 for one virtual account and tag. */
export interface LicensePool {
  virtualAccountId: string;
  tag: string;
  /** Sum of the quantities of active lines. */
  purchased: number;
  /** Sum of authorized counts of product instances plus reserved counts. */
  inUse: number;
  /** What product instances asked for, granted or not; shows a shortfall that inUse hides. */
  requested: number;
  reserved: number;
  balance: number;
}

export type PoolStatus = 'IN_COMPLIANCE' | 'INSUFFICIENT';

export function poolStatus(pool: Pick<LicensePool, 'purchased' | 'requested' | 'reserved'>): PoolStatus {
  return pool.requested + pool.reserved > pool.purchased ? 'INSUFFICIENT' : 'IN_COMPLIANCE';
}

/** Usage counters kept per VA and tag, updated in the same transaction as the authorizations behind them. */
export interface PoolUsage {
  authorized: number;
  requested: number;
  reserved: number;
}
