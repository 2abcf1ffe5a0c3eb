import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { pino } from 'pino';
import { MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { SYNC_OVERDUE, UPSTREAM_CREDENTIAL_EXPIRING, type SyncRunOutcome } from '../../../sync/connected/sync-runner.js';
import { parseSyncSchedule, SyncSchedule, type CronScheduler } from '../../../sync/connected/sync-schedule.js';
import { connectedLab, startFakeUpstream, type ConnectedLab, type FakeUpstream } from '../../support/connected-sync-kit.js';

describe('sync schedule parsing (SATELLITE_SYNC_SCHEDULE)', () => {
  it('turns the friendly forms into cron expressions and accepts valid raw cron', () => {
    assert.equal(parseSyncSchedule('daily@02:30'), '30 2 * * *');
    assert.equal(parseSyncSchedule('weekly@sun 02:30'), '30 2 * * 0');
    assert.equal(parseSyncSchedule('weekly@fri 23:05'), '5 23 * * 5');
    assert.equal(parseSyncSchedule('monthly@1 02:30'), '30 2 1 * *');
    assert.equal(parseSyncSchedule(' */15 * * * * '), '*/15 * * * *');
  });
  it('refuses malformed schedules', () => {
    for (const bad of ['daily@25:00', 'daily@2:30', 'weekly@sunday 02:30', 'monthly@31 02:30', 'hourly', '99 * * * *', '']) {
      assert.throws(() => parseSyncSchedule(bad), Error, bad);
    }
  });
});

describe('sync schedule ticks: jitter, connected mode only, never overlapping', () => {
  const fakeRunner = (connected: { value: boolean }) => {
    const calls = { runs: 0, evaluations: 0 };
    const runner = {
      running: false,
      evaluateAlerts: () => void (calls.evaluations += 1),
      runScheduled: (): Promise<SyncRunOutcome> => {
        calls.runs += 1;
        return Promise.resolve({ ok: false, attempts: 1, failureClass: 'unreachable', message: 'down' });
      },
    };
    return { runner, calls, connected };
  };
  const manualScheduler = (): CronScheduler & { ticks: (() => void)[]; expressions: string[] } => {
    const ticks: (() => void)[] = [];
    const expressions: string[] = [];
    return {
      ticks, expressions,
      schedule: (expression, tick) => {
        expressions.push(expression);
        ticks.push(tick);
        return { stop: () => void ticks.splice(0), nextRun: () => new Date(Date.UTC(2026, 10, 24, 2, 30)) };
      },
    };
  };

  it('waits a random jitter before the run, runs only when connected, reports the next run', async () => {
    const { runner, calls, connected } = fakeRunner({ value: true });
    const scheduler = manualScheduler();
    const delays: number[] = [];
    const schedule = new SyncSchedule({
      runner, isConnected: () => connected.value, clock: { now: () => 0 }, cronExpression: '30 2 * * *', jitterMinutes: 30,
      scheduler, random: () => 0.5, delay: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      logger: pino({ level: 'silent' }),
    });
    schedule.start();
    assert.deepEqual(scheduler.expressions, ['30 2 * * *']);
    assert.equal(schedule.nextRunAt(), Date.UTC(2026, 10, 24, 2, 30));
    await schedule.tick();
    assert.deepEqual(delays, [15 * 60_000]);
    assert.equal(calls.runs, 1);
    connected.value = false;
    await schedule.tick();
    assert.equal(calls.runs, 1, 'no run in disconnected mode');
    assert.equal(calls.evaluations, 2, 'the overdue alerts are evaluated at every tick anyway');
    connected.value = true;
    runner.running = true;
    await schedule.tick();
    assert.equal(calls.runs, 1, 'a tick while a run is in progress is skipped');
    schedule.stop();
    assert.equal(schedule.nextRunAt(), null);
  });
});

describe('sync age and credential alerts (30 / 60 days) with a manual clock', () => {
  let lab: ConnectedLab;
  let fake: FakeUpstream;
  beforeAll(async () => {
    lab = await connectedLab();
    fake = await startFakeUpstream(lab.f, lab.upstream);
    lab.pointAt(fake.url);
  });
  afterAll(async () => {
    await fake.close();
    await lab.cleanup();
  });

  it('no alert before 30 days; Minor at 30; Major at 60; a successful sync clears it', async () => {
    lab.runner.evaluateAlerts();
    assert.equal(lab.activeAlert(SYNC_OVERDUE), undefined);
    lab.f.clock.advance(30 * MS_PER_DAY);
    lab.runner.evaluateAlerts();
    assert.equal(lab.activeAlert(SYNC_OVERDUE)?.severity, 'Minor');
    lab.f.clock.advance(30 * MS_PER_DAY);
    lab.runner.evaluateAlerts();
    assert.equal(lab.activeAlert(SYNC_OVERDUE)?.severity, 'Major');
    assert.equal(await lab.authorizeStatus(), 'AUTHORIZED', 'an overdue sync does not stop device service');
    const outcome = await lab.runner.runNow();
    assert.equal(outcome.ok, true, outcome.ok ? '' : outcome.message);
    assert.equal(lab.activeAlert(SYNC_OVERDUE), undefined);
  });

  it('UPSTREAM_CREDENTIAL_EXPIRING within 30 days of the credential expiry, Major once expired', () => {
    const expiresAt = lab.f.app.satellite.uow.read((r) => r.satelliteBinding.findBinding()?.credentialExpiresAt) ?? 0;
    lab.f.clock.set(expiresAt - 31 * MS_PER_DAY);
    lab.runner.evaluateAlerts();
    assert.equal(lab.activeAlert(UPSTREAM_CREDENTIAL_EXPIRING), undefined);
    lab.f.clock.set(expiresAt - 10 * MS_PER_DAY);
    lab.runner.evaluateAlerts();
    assert.match(lab.activeAlert(UPSTREAM_CREDENTIAL_EXPIRING)?.message ?? '', /expires in 10 days/);
    lab.f.clock.set(expiresAt + 1);
    lab.runner.evaluateAlerts();
    assert.equal(lab.activeAlert(UPSTREAM_CREDENTIAL_EXPIRING)?.severity, 'Major');
  });
});
