import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { DeviceRateLimiter } from '../../../server/device/device-rate-limiter.js';

describe('device rate limiter', () => {
  it('counts per address in a fixed window and starts again when it rolls over', () => {
    let now = 120_000;
    const limiter = new DeviceRateLimiter({ limitPerWindow: 2, windowMs: 60_000, now: () => now });
    const first = limiter.admit('10.0.0.1');
    assert.deepEqual(first, { allowed: true, headers: [['RateLimit-Policy', '2;w=60'], ['RateLimit', 'limit=2, remaining=1, reset=60']] });
    now += 15_000;
    assert.equal(limiter.admit('10.0.0.1')?.allowed, true);
    const refused = limiter.admit('10.0.0.1');
    assert.deepEqual(refused, {
      allowed: false, headers: [['RateLimit-Policy', '2;w=60'], ['RateLimit', 'limit=2, remaining=0, reset=45'], ['Retry-After', '45']],
    });
    assert.equal(limiter.admit('10.0.0.2')?.allowed, true, 'another address has its own budget');
    now += 45_000;
    assert.equal(limiter.admit('10.0.0.1')?.allowed, true, 'a new window');
  });

  it('is off at 0', () => {
    assert.equal(new DeviceRateLimiter({ limitPerWindow: 0 }).admit('10.0.0.1'), null);
  });
});
