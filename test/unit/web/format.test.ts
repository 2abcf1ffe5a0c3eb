import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { formatTime, inUseText, signed, stateName, substitutionText } from '../../../web/src/format.js';

/** How the web UI writes the seeds' numbers (DESIGN §10: In Use "N (R Reserved)", signed Balance and Substitution). */
describe('web UI number formats', () => {
  it('writes In Use as N, or N (R Reserved) when seats are reserved', () => {
    assert.equal(inUseText(11, 0), '11');
    assert.equal(inUseText(11, undefined), '11');
    assert.equal(inUseText(4, 4), '4 (4 Reserved)');
  });

  it('signs balances: +87, 0, -5', () => {
    assert.deepEqual([signed(87), signed(0), signed(-5)], ['+87', '0', '-5']);
  });

  it('writes substitution as the seeds do: "-" for none, From Higher for borrowed, To Lower for lent', () => {
    assert.equal(substitutionText(undefined), '-');
    assert.equal(substitutionText(0), '-');
    assert.equal(substitutionText(50), 'From Higher: +50');
    assert.equal(substitutionText(-2), 'To Lower: -2');
  });

  it('names states and alerts in words, and keeps unknown codes as they are', () => {
    assert.equal(stateName('OUT_OF_COMPLIANCE'), 'Out of Compliance');
    assert.equal(stateName('INSUFFICIENT_LICENSES'), 'Insufficient Licenses');
    assert.equal(stateName('SOMETHING_NEW'), 'SOMETHING_NEW');
  });

  it('shows times in UTC to the minute, and a dash for none', () => {
    assert.equal(formatTime('2026-03-04T05:06:07.890Z'), '2026-03-04 05:06 UTC');
    assert.equal(formatTime(null), '—');
  });
});
