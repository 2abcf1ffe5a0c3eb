import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { checkBundleAddress, type ExpectedBundleAddress } from '../../../sync/bundle/bundle-address.js';

const manifest = {
  kind: 'response' as const,
  bundle_id: '9f3c2a1e-4b5d-4e6f-8a7b-1c2d3e4f5a6b',
  satellite_id: '5c1e6c8e-2f4b-4b7e-8f38-0d7c7a3f9b12',
  upstream_id: 'upstream-eu-1',
  sequence: 12,
  expires_at: 2_000_000,
};

const expected: ExpectedBundleAddress = {
  kind: 'response',
  satelliteId: manifest.satellite_id,
  upstreamId: 'upstream-eu-1',
  now: 1_000_000,
  lastAcceptedSequence: 11,
  lastBundleId: '0b6f2f0e-7d8c-4f53-9a51-6a1b1d6c2e01',
};

describe('checkBundleAddress', () => {
  it('accepts the next bundle for this satellite from its upstream', () => {
    assert.deepEqual(checkBundleAddress(manifest, expected), { ok: true });
    assert.deepEqual(checkBundleAddress(manifest, { ...expected, lastAcceptedSequence: null, lastBundleId: null }), { ok: true });
    assert.deepEqual(checkBundleAddress(manifest, { ...expected, satelliteId: manifest.satellite_id.toUpperCase() }), { ok: true });
  });

  it('refuses with the first failing rule, in the order of DESIGN §5.3', () => {
    const cases: Array<[Partial<ExpectedBundleAddress>, string, RegExp]> = [
      [{ kind: 'request' }, 'WRONG_KIND', /is a response, a request was expected/],
      [{ satelliteId: '00000000-0000-4000-8000-000000000000' }, 'WRONG_SATELLITE', /for satellite 5c1e6c8e.*this is satellite 00000000/],
      [{ upstreamId: 'upstream-us-1' }, 'WRONG_UPSTREAM', /for upstream upstream-eu-1, this satellite is bound to upstream-us-1/],
      [{ now: 2_000_000 }, 'EXPIRED', /expired at 1970-01-01T00:33:20\.000Z/],
      [{ lastAcceptedSequence: 12 }, 'STALE_SEQUENCE', /sequence 12, not above the last accepted 12/],
      [{ lastAcceptedSequence: 40 }, 'STALE_SEQUENCE', /replay or out of order/],
      [{ lastAcceptedSequence: 12, lastBundleId: manifest.bundle_id.toUpperCase() }, 'ALREADY_IMPORTED', /already imported; nothing to do/],
      // Every rule broken at once: the kind is reported.
      [{ kind: 'request', satelliteId: 'x', upstreamId: 'y', now: 9e9, lastAcceptedSequence: 99 }, 'WRONG_KIND', /request was expected/],
      // Expired and replayed: expiry comes first.
      [{ now: 3_000_000, lastAcceptedSequence: 12, lastBundleId: manifest.bundle_id }, 'EXPIRED', /expired/],
    ];
    for (const [override, reason, message] of cases) {
      const result = checkBundleAddress(manifest, { ...expected, ...override });
      assert.ok(!result.ok, JSON.stringify(override));
      assert.equal(result.reason, reason, JSON.stringify(override));
      assert.match(result.message, message);
    }
  });
});
