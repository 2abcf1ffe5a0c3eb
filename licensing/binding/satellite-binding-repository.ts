import type { BoundVirtualAccount, SatelliteBinding, SyncState } from './satellite-binding.js';

/** The satellite's one binding to its upstream and the sync engine's progress (single rows). */
export interface SatelliteBindingRepository {
  findBinding(): SatelliteBinding | undefined;
  /** Inserts or replaces the binding row. */
  saveBinding(binding: SatelliteBinding): void;
  listBoundVirtualAccounts(): BoundVirtualAccount[];
  /** The mapping is replaced as a whole whenever a registration file is imported. */
  replaceBoundVirtualAccounts(rows: readonly BoundVirtualAccount[]): void;
  /** initialSyncState when nothing has run yet. */
  findSyncState(): SyncState;
  saveSyncState(state: SyncState): void;
}
