import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { DEFAULT_BUNDLE_CAPS, resolveBundleCaps } from '../../../sync/bundle/bundle-caps.js';
import { describeUnsafeName } from '../../../sync/bundle/zip-directory-reader.js';

describe('bundle caps and entry names', () => {
  it('fills defaults and refuses caps that would disable a check', () => {
    assert.deepEqual(resolveBundleCaps(), DEFAULT_BUNDLE_CAPS);
    assert.equal(resolveBundleCaps({ maxEntryBytes: 5 }).maxEntryBytes, 5);
    for (const bad of [0, -1, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
      assert.throws(() => resolveBundleCaps({ maxEntries: bad }), /maxEntries must be a positive integer/);
    }
  });

  it('names the most specific problem of an unsafe entry name', () => {
    assert.equal(describeUnsafeName('usage.ndjson'), undefined);
    assert.equal(describeUnsafeName('/abs'), 'is an absolute path');
    assert.equal(describeUnsafeName('\\\\server\\share'), 'is an absolute path');
    assert.equal(describeUnsafeName('c:x'), 'starts with a drive letter');
    assert.equal(describeUnsafeName('a/../b'), 'contains ".." (path traversal)');
    assert.equal(describeUnsafeName('a\\b'), 'contains a path separator');
    assert.equal(describeUnsafeName(''), 'has an empty name');
    assert.match(describeUnsafeName('caf\u00e9') ?? '', /does not match the entry name rule/);
  });
});
