import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { InstanceFilter, InstanceInventoryRepository, InstanceKey, InstanceQuery } from '../../../licensing/instances/instance-inventory-repository.js';
import { FIRST_WINDOW, InstanceQueryService, WINDOW_INDEX_ONLY, WINDOW_WITH_ROWS } from '../../../licensing/instances/instance-query-service.js';
import type { InstanceSummary } from '../../../licensing/instances/instance-views.js';
import type { Repositories, UnitOfWork } from '../../../licensing/shared/unit-of-work.js';

/**
 * One VA of `size` instances, newest contact first, of which those `matches` accepts pass the filter. It
 * records the size of every window asked for: how many index entries each walk step read.
 */
function fleet(size: number, matches: (index: number) => boolean, indexOnly: boolean) {
  const keys: InstanceKey[] = Array.from({ length: size }, (_, i) => ({ lastContactAt: size - i, id: `i${String(i).padStart(7, '0')}` }));
  const windows: number[] = [];
  const position = (after: InstanceKey | undefined): number => (after ? keys.findIndex((k) => k.id === after.id) + 1 : 0);
  const inWindow = (after: InstanceKey | undefined, end: InstanceKey | null): number[] => {
    const from = position(after);
    const to = end ? keys.findIndex((k) => k.id === end.id) + 1 : keys.length;
    return Array.from({ length: to - from }, (_, i) => from + i).filter(matches);
  };
  const summary = (i: number): InstanceSummary => ({ instance: { id: keys[i]?.id, lastContactAt: keys[i]?.lastContactAt } as InstanceSummary['instance'], virtualAccountName: 'Lab', certificateNotAfter: null });
  const inventory: Partial<InstanceInventoryRepository> = {
    selectiveMatches: () => null,
    countThrough: () => null,
    indexOnly: () => indexOnly,
    windowEnd: (_f: InstanceFilter, _s, after, n) => {
      windows.push(n);
      return keys[position(after) + n - 1] ?? null;
    },
    countWindow: (_f, _s, after, end, cap) => Math.min(cap, inWindow(after, end).length),
    listWindow: (q: InstanceQuery, end) => inWindow(q.after, end).slice(q.offset, q.offset + q.limit).map(summary),
  };
  const repos = { instanceInventory: inventory, accounts: { listVirtualAccounts: () => [{ id: 'va1' }] } } as unknown as Repositories;
  const uow: UnitOfWork = {
    read: (work) => work(repos), write: () => { throw new Error('read only'); }, writeBatch: () => { throw new Error('read only'); }, openSnapshot: () => null,
  };
  const service = new InstanceQueryService({ uow, clock: { now: () => 0 }, yieldTurn: async () => undefined });
  return { service, windows };
}

const page = (offset = 0): InstanceQuery => ({ accountId: 'a1', sort: '-lastContact', limit: 50, offset });

describe('instance list windows', () => {
  it('finds a first page in one short window, not the walk\'s full 10,000 entries', async () => {
    const { service, windows } = fleet(50_000, () => true, true);
    const rows = await service.list(page(), 'capped');
    assert.equal(rows.instances.length, 50);
    assert.equal(rows.instances[0]?.instance.id, 'i0000000');
    // The page's own walk: one window of FIRST_WINDOW entries; the capped count walks on with full ones.
    assert.equal(windows[0], FIRST_WINDOW);
    assert.ok(windows.slice(1).every((n) => n === WINDOW_INDEX_ONLY), windows.join(','));
  });

  it('grows the windows fourfold up to the walk\'s size when the filter is sparse, and still finds every match', async () => {
    const sparse = (i: number): boolean => i % 2_500 === 7;
    const { service, windows } = fleet(40_000, sparse, false);
    const rows = await service.list(page(), 'exact');
    assert.deepEqual(rows.instances.map((r) => r.instance.id), Array.from({ length: 16 }, (_, k) => `i${String(k * 2_500 + 7).padStart(7, '0')}`));
    assert.equal(rows.total, 16);
    const walk = windows.slice(0, windows.indexOf(WINDOW_WITH_ROWS) + 1);
    assert.deepEqual(walk, [FIRST_WINDOW, WINDOW_WITH_ROWS], `a row-reading walk grows to ${WINDOW_WITH_ROWS}: ${windows.join(',')}`);
    const indexOnly = fleet(100_000, sparse, true);
    await indexOnly.service.list(page(), 'capped');
    assert.deepEqual(indexOnly.windows.slice(0, 4), [FIRST_WINDOW, FIRST_WINDOW * 4, FIRST_WINDOW * 16, WINDOW_INDEX_ONLY]);
  });

  it('starts a deep offset\'s walk with a window that covers the offset', async () => {
    const { service, windows } = fleet(50_000, () => true, true);
    const rows = await service.list(page(3_000), 'capped');
    assert.equal(rows.instances[0]?.instance.id, 'i0003000');
    assert.equal(windows[0], 2 * (3_000 + 51));
  });
});
