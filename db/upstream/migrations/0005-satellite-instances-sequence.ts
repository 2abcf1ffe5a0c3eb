import type { Migration } from '../../migrations/migration-list.js';

/**
 * Incremental requests (docs/sync-format.md, "What changed"): the request sequence through which the upstream holds
 * a satellite's complete instance list, sent back in each acknowledgement. NULL (every existing row: what an older
 * upstream stored cannot be vouched for) asks the satellite for a full snapshot next.
 */
export const upstreamSatelliteInstancesSequenceSchema: Migration = {
  version: 5,
  name: 'upstream: the request through which a satellite\'s instances are held complete',
  sql: `
ALTER TABLE registered_satellites ADD COLUMN instances_sequence INTEGER CHECK (instances_sequence IS NULL OR instances_sequence > 0);
`,
};
