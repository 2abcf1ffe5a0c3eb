import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ConflictError } from '../../../licensing/shared/domain-error.js';
import { parseSyncError, SYNC_FAILED, type SyncRunOutcome } from '../../../sync/connected/sync-runner.js';
import type { SyncFailureClass } from '../../../sync/connected/upstream-client.js';
import { closedPortUrl, connectedLab, startFakeUpstream, type ConnectedLab, type FakeUpstream, type UpstreamBehaviour } from '../../support/connected-sync-kit.js';

describe('connected sync against a fake upstream: every failure is classified, recorded, alerted and retried', () => {
  let lab: ConnectedLab;
  let fake: FakeUpstream;
  beforeAll(async () => {
    lab = await connectedLab({ timeoutMs: 300 });
    fake = await startFakeUpstream(lab.f, lab.upstream);
    lab.pointAt(fake.url);
  });
  afterAll(async () => {
    await fake.close();
    await lab.cleanup();
  });

  const state = () => lab.f.app.satellite.uow.read((r) => r.satelliteBinding.findSyncState());

  /** Runs a scheduled sync; the device must be served while it is in flight and after it. */
  async function scheduled(): Promise<SyncRunOutcome> {
    lab.delays.length = 0;
    const run = lab.runner.runScheduled();
    assert.equal(await lab.authorizeStatus(), 'AUTHORIZED');
    const outcome = await run;
    assert.equal(await lab.authorizeStatus(), 'AUTHORIZED');
    return outcome;
  }

  function assertFailed(outcome: SyncRunOutcome, failureClass: SyncFailureClass, retried: boolean, message?: RegExp): void {
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.failureClass, failureClass, outcome.message);
    if (message) assert.match(outcome.message, message);
    const recorded = parseSyncError(state().lastError);
    assert.equal(recorded?.failureClass, failureClass);
    assert.ok(state().lastErrorAt);
    assert.equal(lab.activeAlert(SYNC_FAILED)?.severity, 'Minor');
    // Backoff: 1 min, 2 min (capped exponential), or none for classes a retry cannot fix.
    assert.deepEqual(lab.delays, retried ? [60_000, 120_000] : []);
    assert.equal(outcome.attempts, retried ? 3 : 1);
  }

  it('a valid response bundle is imported; the satellite records the success', async () => {
    const outcome = await scheduled();
    assert.equal(outcome.ok, true, outcome.ok ? '' : outcome.message);
    assert.equal(state().lastSuccessAt, lab.f.clock.now());
    assert.equal(state().lastError, null);
    assert.equal(state().upstreamSequence, 1);
    assert.equal(lab.activeAlert(SYNC_FAILED), undefined);
  });

  const cases: { behaviour: UpstreamBehaviour; failureClass: SyncFailureClass; retried: boolean; message?: RegExp }[] = [
    { behaviour: 'garbage', failureClass: 'garbage', retried: true },
    { behaviour: 'conflict', failureClass: 'conflict', retried: false, message: /409.*already answered/ },
    { behaviour: 'bad_request', failureClass: 'rejected', retried: false, message: /400.*unknown satellite/ },
    { behaviour: 'server_error', failureClass: 'server_error', retried: true, message: /500.*database unavailable/ },
    { behaviour: 'slow', failureClass: 'unreachable', retried: true, message: /300 ms/ },
  ];
  for (const c of cases) {
    it(`${c.behaviour}: class ${c.failureClass}, SYNC_FAILED raised, ${c.retried ? 'retried with backoff' : 'not retried'}`, async () => {
      fake.behaviour = c.behaviour;
      const outcome = await scheduled();
      assertFailed(outcome, c.failureClass, c.retried, c.message);
      assert.ok(state().nextRunAt !== null);
      fake.releaseSlow();
    });
  }

  it('a refused answer is in the import history like any other refusal, with its actor and a security event', async () => {
    const before = lab.f.app.satellite.responseImporter.history(1000).length;
    const refusals: Array<[UpstreamBehaviour, string, SyncFailureClass]> = [
      ['garbage', 'CORRUPT_ARCHIVE', 'garbage'], ['forged', 'BAD_SIGNATURE', 'garbage'], ['stale', 'STALE_SEQUENCE', 'rejected'],
    ];
    for (const [behaviour, reason, failureClass] of refusals) {
      fake.behaviour = behaviour;
      const outcome = await lab.runner.runNow('tester');
      assert.equal(outcome.ok ? null : outcome.failureClass, failureClass);
      const [latest] = lab.f.app.satellite.responseImporter.history(1);
      assert.deepEqual([latest?.result, latest?.result === 'REFUSED' ? latest.reason : null, latest?.actorId], ['REFUSED', reason, 'tester']);
      assert.match(latest?.fileSha256 ?? '', /^[0-9a-f]{64}$/);
      const [event] = lab.f.app.satellite.eventLog.list({ type: 'SYNC_BUNDLE_TAMPERED', limit: 1, offset: 0 }).events;
      assert.deepEqual([event?.actorId, event?.details['reason'], event?.details['severity']], ['tester', reason, 'Major']);
    }
    assert.equal(lab.f.app.satellite.responseImporter.history(1000).length, before + refusals.length);
  });

  it('connection refused: unreachable, retried, next run recorded', async () => {
    lab.pointAt(await closedPortUrl());
    const before = state().consecutiveFailures;
    const outcome = await scheduled();
    assertFailed(outcome, 'unreachable', true);
    assert.equal(state().consecutiveFailures, before + 3);
    lab.pointAt(fake.url);
  });

  it('success clears SYNC_FAILED and the error', async () => {
    fake.behaviour = 'valid';
    assert.ok(lab.activeAlert(SYNC_FAILED));
    const outcome = await lab.runner.runNow('tester');
    assert.equal(outcome.ok, true);
    assert.equal(lab.activeAlert(SYNC_FAILED), undefined);
    assert.equal(state().lastError, null);
    assert.equal(state().consecutiveFailures, 0);
  });

  it('runs never overlap: "sync now" during a run is a conflict, and the run still finishes', async () => {
    fake.behaviour = 'slow';
    const first = lab.runner.runNow();
    assert.equal(lab.runner.running, true);
    assert.throws(() => lab.runner.runNow(), (e: unknown) => e instanceof ConflictError && e.details?.['reason'] === 'SYNC_RUNNING');
    assert.throws(() => lab.runner.runScheduled(), ConflictError);
    const outcome = await first;
    assert.equal(outcome.ok, false);
    assert.equal(lab.runner.running, false);
    fake.releaseSlow();
  });

  it('disconnected mode refuses connected sync', () => {
    lab.f.app.satellite.uow.write((r) => {
      const binding = r.satelliteBinding.findBinding();
      if (binding) r.satelliteBinding.saveBinding({ ...binding, mode: 'disconnected' });
    });
    assert.throws(() => lab.runner.runNow(), (e: unknown) => e instanceof ConflictError && e.details?.['reason'] === 'NOT_CONNECTED');
    lab.pointAt(fake.url);
  });
});
