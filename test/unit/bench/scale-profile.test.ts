import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { summarizeCpuProfiles, type CpuProfile } from '../../../scripts/bench/scale-profile.js';

const ROOT = '/repo/';
const frame = (id: number, functionName: string, url: string, lineNumber = 0): CpuProfile['nodes'][number] =>
  ({ id, callFrame: { functionName, url, lineNumber } });

/** Samples every 100 µs from t = 1,000: node 2 (verify) x3, node 3 (idle) x2, node 4 (a .ts function) x3, node 5 (GC) x2. */
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', ''), frame(2, 'verifyOneShot', 'node:internal/crypto/sig', 233), frame(3, '(idle)', ''),
    frame(4, 'findById', `file://${ROOT}db/repositories/sqlite-product-instance-repository.ts`, 4), frame(5, '(garbage collector)', ''),
  ],
  startTime: 1000,
  samples: [2, 2, 2, 3, 3, 4, 4, 4, 5, 5],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
};

describe('bench:scale CPU profile summary', () => {
  it('adds up self time by function and by file, leaving idle time out', () => {
    const summary = summarizeCpuProfiles([profile], ROOT, null);
    assert.equal(summary.window, 'whole server run');
    // The last sample has no successor, so it stands for no time: 3 + 3 + 1 samples of 100 µs.
    const byName = new Map(summary.byFunction.map((r) => [r.name, r]));
    assert.equal(byName.get('verifyOneShot node:internal/crypto/sig:234')?.selfMs, 0.3);
    assert.equal(byName.get('findById db/repositories/sqlite-product-instance-repository.ts')?.selfMs, 0.3, 'no line number for transpiled .ts');
    assert.ok(!summary.byFunction.some((r) => r.name.startsWith('(idle)')));
    assert.equal(summary.byFunction.reduce((sum, r) => sum + r.share, 0).toFixed(6), '1.000000');
    assert.deepEqual(summary.byFile.map((r) => r.name).slice(0, 2).sort(), ['db/repositories/sqlite-product-instance-repository.ts', 'node:internal/crypto/sig']);
  });

  it('cuts samples to the measured window when the clocks match, and says when they do not', () => {
    const cut = summarizeCpuProfiles([profile], ROOT, { fromMicros: 1600, toMicros: 1800 });
    assert.equal(cut.window, 'measured run');
    assert.deepEqual(cut.byFunction.map((r) => r.name), ['findById db/repositories/sqlite-product-instance-repository.ts']);
    const elsewhere = summarizeCpuProfiles([profile], ROOT, { fromMicros: 9e9, toMicros: 9e9 + 1 });
    assert.equal(elsewhere.window, 'whole server run');
  });

  it('merges the profiles of several threads', () => {
    const merged = summarizeCpuProfiles([profile, profile], ROOT, null);
    assert.equal(merged.byFunction.find((r) => r.name.startsWith('verifyOneShot'))?.selfMs, 0.6);
  });
});
