import type { Alert } from './alert.js';

export interface AlertRepository {
  /** Raises the alert unless an uncleared one with the same type and target exists; returns the active one. */
  raise(alert: Alert): Alert;
  clear(messageType: string, target: string, at: number): number;
  listActive(accountId?: string): Alert[];
  /** Uncleared alerts counted per message type (one aggregate query). */
  countActiveByType(): Array<{ type: string; count: number }>;
}
