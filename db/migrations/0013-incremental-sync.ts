import type { Migration } from './migration-list.js';

/**
 * Incremental requests at 1M instances (issue 13 §4, docs/sync-format.md "What changed"):
 * - `sync_state.instances_sequence`: what the upstream last said it holds of this satellite's instances (the
 *   acknowledgement's `instances_sequence`): NULL = it never said (an older upstream: the acknowledged sequence is
 *   used, as before), 0 = it holds none (the next request is a full snapshot), N = complete through request N (the
 *   next request carries the changes since N's snapshot).
 * - A partial index on revoked certificates, so the change query finds revocations without reading every
 *   certificate (their PEMs are most of the database at 1M). Unrevoked certificates are not in it: issuing one costs
 *   nothing more.
 */
export const incrementalSyncSchema: Migration = {
  version: 13,
  name: 'incremental sync: the upstream instance watermark, revoked certificates by time',
  sql: `
ALTER TABLE sync_state ADD COLUMN instances_sequence INTEGER CHECK (instances_sequence IS NULL OR instances_sequence >= 0);
CREATE INDEX id_certificates_revoked ON id_certificates (revoked_at, instance_id) WHERE revoked_at IS NOT NULL;
`,
};
