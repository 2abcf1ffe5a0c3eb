import { createHash } from 'node:crypto';
import { ensureUpstreamVirtualAccounts } from '../accounts/upstream-virtual-accounts.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { BoundVirtualAccount } from '../binding/satellite-binding.js';
import { applyUpstreamCatalog } from '../catalog/catalog-service.js';
import { ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { Repositories } from '../shared/unit-of-work.js';
import { findDuplicateUpstreamId, reconcileUpstreamLines, type DesiredLine } from './reconcile-upstream-lines.js';
import type { ImportRecord, UpstreamResponse } from './upstream-snapshot.js';

export const UPSTREAM_NOTICE = 'UPSTREAM_NOTICE';

export interface ApplyContext {
  now: number;
  newId: IdGenerator;
  actorId: string;
  /** SHA-256 of the bundle file, for the history. */
  fileSha256: string | null;
  alerts: Pick<AlertService, 'poolsChanged' | 'raiseExternalIn'>;
}

/** Refusals found while applying; `reason` is a stable code like the bundle reader's. */
export class ResponseApplyError extends ValidationError {
  constructor(reason: 'NOT_REGISTERED' | 'UNMAPPED_ACCOUNT' | 'DUPLICATE_LINE' | 'BAD_ACKNOWLEDGEMENT', message: string) {
    super(message, { reason });
    this.name = 'ResponseApplyError';
  }
}

const vaKey = (account: string, virtualAccount: string): string => `${account}\u0000${virtualAccount}`;

/**
 * Applies a verified, addressed response inside the caller's one transaction (DESIGN §5.3): any throw rolls
 * everything back. Lines are reconciled by upstream id, VAs the snapshot names are created under their mapped
 * account, every touched pool is re-evaluated by the alert rules (a short pool raises INSUFFICIENT_LICENSES now
 * and its devices go OUT_OF_COMPLIANCE at their next AUTHORIZE), then acknowledgement, notices and history.
 */
export function applyUpstreamResponse(repos: Repositories, response: UpstreamResponse, ctx: ApplyContext): ImportRecord {
  const binding = repos.satelliteBinding.findBinding();
  if (!binding) throw new ResponseApplyError('NOT_REGISTERED', 'this satellite is not registered with an upstream');
  const duplicate = findDuplicateUpstreamId(response.lines);
  if (duplicate !== null) throw new ResponseApplyError('DUPLICATE_LINE', `license line ${duplicate} appears twice in the snapshot`);

  const vaCountBefore = repos.satelliteBinding.listBoundVirtualAccounts().length;
  const bound = resolveVirtualAccounts(repos, response, binding.accounts.map((a) => a.account), ctx);
  const desired: DesiredLine[] = response.lines.map((line) => {
    const virtualAccountId = bound.get(vaKey(line.account, line.virtualAccount));
    if (virtualAccountId === undefined) throw new ResponseApplyError('UNMAPPED_ACCOUNT', `no virtual account ${line.account}/${line.virtualAccount}`);
    return {
      id: ctx.newId(), upstreamLineId: line.upstreamLineId, virtualAccountId, tag: line.tag, displayName: line.displayName,
      description: line.description, quantity: line.quantity, licenseType: line.licenseType, startsAt: line.startsAt, endsAt: line.endsAt,
      revision: line.revision, substitutionLadder: line.substitutionLadder,
    };
  });

  const stored = repos.upstreamSync.listUpstreamLines();
  const plan = reconcileUpstreamLines(stored, desired, ctx.now);
  const touched = new Map<string, Set<string>>();
  const touch = (virtualAccountId: string, tag: string): void => {
    const tags = touched.get(virtualAccountId) ?? new Set<string>();
    tags.add(tag);
    touched.set(virtualAccountId, tags);
  };
  const previous = new Map(stored.map((line) => [line.id, line]));
  for (const line of plan.insert) {
    repos.upstreamSync.insertUpstreamLine(line, ctx.now);
    touch(line.virtualAccountId, line.tag);
  }
  for (const line of [...plan.update, ...plan.end]) {
    repos.upstreamSync.updateUpstreamLine(line);
    touch(line.virtualAccountId, line.tag);
    const before = previous.get(line.id);
    if (before) touch(before.virtualAccountId, before.tag);
  }
  // Lines that brought their own ladder keep it; the catalog's ladder is for lines whose upstream sends none.
  const ownLadders = new Set(response.lines.filter((line) => line.substitutionLadder !== null).map((line) => line.tag));
  for (const item of response.catalog) {
    if (ownLadders.has(item.tag)) continue;
    for (const pool of repos.upstreamSync.applyCatalog(item)) touch(pool.virtualAccountId, pool.tag);
  }
  // The upstream's catalog entries replace the local ones (DESIGN §8.2); their ladders drive substitution.
  applyUpstreamCatalog(repos, ctx.alerts, response.catalog, ctx.now, response.upstreamId);
  for (const [virtualAccountId, tags] of touched) ctx.alerts.poolsChanged(repos, virtualAccountId, [...tags], ctx.now);

  const acknowledged = acknowledge(repos, response, ctx.now);
  for (const notice of response.notices) {
    ctx.alerts.raiseExternalIn(repos, {
      messageType: UPSTREAM_NOTICE, severity: notice.severity, source: response.upstreamId, message: notice.message,
      // The same notice in the next response keeps one alert instead of raising another.
      target: `upstream-notice:${createHash('sha256').update(notice.message).digest('hex').slice(0, 16)}`,
    }, ctx.now);
  }

  const record: ImportRecord = {
    bundleId: response.bundleId, sequence: response.sequence, inReplyToSequence: response.inReplyToSequence, importedAt: ctx.now,
    actorId: ctx.actorId, result: 'IMPORTED', fileSha256: ctx.fileSha256, linesAdded: plan.insert.length, linesUpdated: plan.update.length, linesEnded: plan.end.length,
    virtualAccountsCreated: repos.satelliteBinding.listBoundVirtualAccounts().length - vaCountBefore, notices: response.notices.length,
    acknowledgedSequence: acknowledged,
  };
  repos.upstreamSync.insertImport(record);
  repos.events.append({
    occurredAt: ctx.now, accountId: null, virtualAccountId: null, actorType: 'upstream', actorId: response.upstreamId, type: 'SYNC_RESPONSE_IMPORTED',
    message: `Response ${response.sequence} imported: ${record.linesAdded} lines added, ${record.linesUpdated} updated, ${record.linesEnded} ended`,
    details: { ...record },
  });
  return record;
}

/** Creates (origin 'upstream') the VAs the snapshot names that do not exist yet, under accounts the binding maps. */
function resolveVirtualAccounts(repos: Repositories, response: UpstreamResponse, mapped: readonly string[], ctx: ApplyContext): Map<string, string> {
  const bound: BoundVirtualAccount[] = repos.satelliteBinding.listBoundVirtualAccounts();
  const known = new Map(bound.map((b) => [vaKey(b.account, b.virtualAccount), b.virtualAccountId]));
  const missing = new Map<string, Set<string>>();
  for (const line of response.lines) {
    if (known.has(vaKey(line.account, line.virtualAccount))) continue;
    if (!mapped.includes(line.account)) {
      throw new ResponseApplyError('UNMAPPED_ACCOUNT', `line ${line.upstreamLineId} is for account ${line.account}, which this satellite's registration does not map`);
    }
    const names = missing.get(line.account) ?? new Set<string>();
    names.add(line.virtualAccount);
    missing.set(line.account, names);
  }
  if (missing.size === 0) return known;
  const mapping = [...missing].map(([account, names]) => ({ account, virtualAccounts: [...names] }));
  const created = ensureUpstreamVirtualAccounts(repos, mapping, { now: ctx.now, newId: ctx.newId, upstreamId: response.upstreamId });
  repos.satelliteBinding.replaceBoundVirtualAccounts([...bound, ...created.bound]);
  for (const b of created.bound) known.set(vaKey(b.account, b.virtualAccount), b.virtualAccountId);
  return known;
}

/** Records the response's sequence, the acknowledged request sequence and the renewed credential expiry. */
function acknowledge(repos: Repositories, response: UpstreamResponse, now: number): number | null {
  const state = repos.satelliteBinding.findSyncState();
  let acknowledgedSequence = state.acknowledgedSequence;
  let instancesSequence = state.instancesSequence;
  let latest: number | null = null;
  for (const ack of response.acknowledgements) {
    if (ack.acknowledgedSequence > state.requestSequence) {
      throw new ResponseApplyError('BAD_ACKNOWLEDGEMENT',
        `the upstream acknowledges request ${ack.acknowledgedSequence}, but this satellite has only sent up to ${state.requestSequence}`);
    }
    // Acknowledgements never move back: an older one arriving late does not un-confirm newer requests.
    acknowledgedSequence = Math.max(acknowledgedSequence, ack.acknowledgedSequence);
    latest = acknowledgedSequence;
    if (ack.instancesSequence !== undefined) {
      // The upstream's word on what it holds, even when lower than before (it lost state): the next request follows it.
      if (ack.instancesSequence !== null && ack.instancesSequence > ack.acknowledgedSequence) {
        throw new ResponseApplyError('BAD_ACKNOWLEDGEMENT',
          `the upstream says it holds instances through request ${ack.instancesSequence}, beyond the request ${ack.acknowledgedSequence} it acknowledges`);
      }
      instancesSequence = ack.instancesSequence ?? 0;
    }
    const binding = repos.satelliteBinding.findBinding();
    if (binding) repos.satelliteBinding.saveBinding({ ...binding, credentialExpiresAt: ack.credentialExpiresAt, updatedAt: now });
  }
  repos.satelliteBinding.saveSyncState({
    ...state, acknowledgedSequence, instancesSequence, upstreamSequence: response.sequence, lastUpstreamBundleId: response.bundleId,
    lastSuccessAt: now,
  });
  return latest;
}
