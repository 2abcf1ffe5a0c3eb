import type { LicenseLine } from './license-line.js';
import type { PoolUsage } from './license-pool.js';
import type { LicenseTransfer } from './license-transfer.js';

export interface LicenseRepository {
  insertLine(line: LicenseLine): void;
  findLine(id: string): LicenseLine | undefined;
  /** Rewrites a local line's names, quantity, type and terms. */
  updateLocalLine(line: LicenseLine): void;
  /** Registered product instances of the VA that report the tag, with their counts (the license detail view). */
  listConsumers(virtualAccountId: string, tag: string, limit: number): LicenseConsumer[];
  listLines(virtualAccountId: string): LicenseLine[];
  listLinesForTag(virtualAccountId: string, tag: string): LicenseLine[];
  /** Sum of quantities of lines active at `now`. */
  purchasedQuantity(virtualAccountId: string, tag: string, now: number): number;
  /** Whether the VA has ever held a line for the tag (active or not). */
  hasLineForTag(virtualAccountId: string, tag: string): boolean;
  getUsage(virtualAccountId: string, tag: string): PoolUsage;
  /** Adds signed deltas to the usage counters of a pool, creating it at zero when absent. */
  addUsage(virtualAccountId: string, tag: string, delta: PoolUsage): void;
  listUsage(virtualAccountId: string): Array<PoolUsage & { tag: string }>;
  insertTransfer(transfer: LicenseTransfer): void;
  /** Newest first. */
  listTransfers(accountId: string, limit: number, offset: number): LicenseTransfer[];
}

export interface LicenseConsumer {
  instanceId: string;
  hostname: string | null;
  udiPid: string;
  udiSerialNumber: string;
  authorizationState: string;
  count: number;
  status: string;
  reportedAt: number;
}
