import { Argument, Option, type Command } from 'commander';
import { SYNC_MODES, type SyncMode } from '../../licensing/binding/satellite-binding.js';
import type { SyncStatus } from '../../licensing/binding/satellite-binding-rules.js';
import { recordsByKind } from '../../protocol/sync-manifest.js';
import { readRegistrationFile } from '../../sync/registration/registration-file-reader.js';
import { DATA_OPTION, processCliContext, type AdminCliContext } from './admin-cli-context.js';
import { registerSyncImportCommands } from './sync-import-commands.js';
import { registerSyncNowCommand } from './sync-now-command.js';
import { cliActor } from './cli-actor.js';

interface RegisterOptions { mode?: SyncMode; force?: boolean; fingerprint?: string; data?: string; json?: boolean }

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/**
 * `satellite sync register|mode|status`: the satellite's binding to its upstream (docs/upstream.md). Bundle
 * export and import (the Sync issue) join this same `sync` command.
 */
export function registerSyncCommands(program: Command, context: AdminCliContext = processCliContext): Command {
  const sync = program.command('sync').description('synchronization with the upstream: registration, mode, status, export');
  sync
    .command('register <file>')
    .description('import the signed registration file the upstream issued: verifies it and binds this satellite')
    .addOption(new Option('--mode <mode>', 'sync mode (default: kept on renewal, else connected when the file names an upstream URL)').choices(SYNC_MODES))
    .option('--fingerprint <sha256>', 'the upstream key fingerprint the upstream admin gave you; the file must match it', (value: string) => value.trim())
    .option('--force', 'rebind to another satellite id, upstream or key, or import an older file (sync progress starts over)')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (file: string, opts: RegisterOptions) => {
      // Read and verify before opening the database: a bad file changes nothing and costs no lock.
      const grant = await readRegistrationFile(file, opts.fingerprint);
      await context.open(opts.data, (satellite) => {
        const outcome = satellite.satelliteBinding.register(grant, {
          ...(opts.mode ? { mode: opts.mode } : {}), force: opts.force === true, actorId: cliActor(),
        });
        const b = outcome.binding;
        if (opts.json) {
          context.out(JSON.stringify({
            change: outcome.change, satellite_id: b.satelliteId, satellite_name: b.satelliteName, upstream_id: b.upstreamId,
            upstream_url: b.upstreamUrl, fingerprint: b.upstreamKeyFingerprint, mode: b.mode, credential_expires_at: b.credentialExpiresAt,
            virtual_accounts: outcome.virtualAccounts.map((v) => `${v.account}/${v.virtualAccount}`),
            created_accounts: outcome.createdAccounts, created_virtual_accounts: outcome.createdVirtualAccounts,
            adopted_virtual_accounts: outcome.adoptedVirtualAccounts,
          }));
          return;
        }
        context.out(`satellite: ${b.satelliteName} (${b.satelliteId})`);
        context.out(`upstream: ${b.upstreamId}${b.upstreamUrl === null ? '' : ` at ${b.upstreamUrl}`}`);
        context.out(`upstream key fingerprint (SHA-256): ${b.upstreamKeyFingerprint}`);
        context.out(`mode: ${b.mode}`);
        context.out(`credential expires: ${iso(b.credentialExpiresAt)}`);
        context.out(`virtual accounts: ${outcome.virtualAccounts.map((v) => `${v.account}/${v.virtualAccount}`).join(', ')}`);
        for (const name of outcome.createdVirtualAccounts) context.err(`created virtual account ${name} (origin upstream)`);
        for (const name of outcome.adoptedVirtualAccounts) context.err(`virtual account ${name} is now served by the upstream`);
        context.err(`${outcome.change === 'renewal' ? 're-registered' : outcome.change === 'rebind' ? 'rebound' : 'registered'} with upstream ${b.upstreamId}`);
        if (opts.fingerprint === undefined) context.err('check that the fingerprint above is the one the upstream printed (or pass --fingerprint next time)');
      });
    });
  sync
    .command('mode')
    .description('switch between connected (scheduled HTTPS sync) and disconnected (files carried by an admin)')
    .addArgument(new Argument('<mode>', 'connected or disconnected').choices(SYNC_MODES))
    .option(...DATA_OPTION)
    .action(async (mode: SyncMode, opts: { data?: string }) => {
      await context.open(opts.data, (satellite) => {
        const binding = satellite.satelliteBinding.setMode(mode, cliActor());
        context.err(`sync mode: ${binding.mode}`);
      });
    });
  sync
    .command('status')
    .description('the binding to the upstream, credential expiry and days since the last sync')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: { data?: string; json?: boolean }) => {
      await context.open(opts.data, (satellite) => {
        const status = satellite.satelliteBinding.status();
        if (status === null) {
          if (opts.json) context.out(JSON.stringify({ registered: false }));
          else context.out('not registered with an upstream; import a registration file with `satellite sync register <file>`');
          return;
        }
        if (opts.json) context.out(JSON.stringify(statusJson(status)));
        else for (const line of statusLines(status)) context.out(line);
      });
    });
  sync
    .command('export')
    .description('write a signed request bundle for the upstream (disconnected mode: carry it across the air gap)')
    .requiredOption('--out <file>', 'the request bundle to write, e.g. request.zip')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: { out: string; data?: string; json?: boolean }) => {
      await context.open(opts.data, async (satellite) => {
        const exported = await satellite.requestExporter.exportRequestBundle({ outFile: opts.out });
        const m = exported.manifest;
        if (opts.json) {
          context.out(JSON.stringify({
            file: opts.out, bundle_id: m.bundle_id, sequence: m.sequence, expires_at: m.expires_at,
            entries: recordsByKind(m.entries),
          }));
          return;
        }
        context.out(`request bundle: ${opts.out}`);
        context.out(`bundle id: ${m.bundle_id}`);
        context.out(`sequence: ${m.sequence}`);
        context.out(`expires: ${iso(m.expires_at)}`);
        for (const e of m.entries) context.err(`${e.kind}: ${e.records} records`);
      });
    });
  registerSyncImportCommands(sync, context);
  registerSyncNowCommand(sync, context);
  // Named from the commands themselves, so `satellite --help` never forgets one that was added later.
  sync.description(`synchronization with the upstream: ${sync.commands.map((c) => c.name()).join(', ')}`);
  return sync;
}

type StatusWithAccounts = SyncStatus & { virtualAccounts: Array<{ account: string; virtualAccount: string }> };

function statusJson(s: StatusWithAccounts): Record<string, unknown> {
  const b = s.binding;
  return {
    registered: true, satellite_id: b.satelliteId, satellite_name: b.satelliteName, upstream_id: b.upstreamId, upstream_url: b.upstreamUrl,
    fingerprint: b.upstreamKeyFingerprint, mode: b.mode, bound_at: b.boundAt, credential_expires_at: b.credentialExpiresAt,
    credential_expired: s.credentialExpired, credential_days_left: s.credentialDaysLeft, last_sync_at: s.state.lastSuccessAt,
    days_since_last_sync: s.daysSinceLastSync, days_since_bound: s.daysSinceBound, sync_age: s.syncAge, next_run_at: s.state.nextRunAt,
    last_error: s.state.lastError, last_error_at: s.state.lastErrorAt, request_sequence: s.state.requestSequence,
    acknowledged_sequence: s.state.acknowledgedSequence, upstream_sequence: s.state.upstreamSequence,
    virtual_accounts: s.virtualAccounts.map((v) => `${v.account}/${v.virtualAccount}`),
  };
}

function statusLines(s: StatusWithAccounts): string[] {
  const b = s.binding;
  const credential = s.credentialExpired ? 'EXPIRED' : `${s.credentialDaysLeft} days left`;
  const lastSync = s.daysSinceLastSync === null
    ? `never (registered ${s.daysSinceBound} days ago)`
    : `${iso(s.state.lastSuccessAt)} (${s.daysSinceLastSync} days ago)`;
  return [
    `satellite: ${b.satelliteName} (${b.satelliteId})`,
    `upstream: ${b.upstreamId}${b.upstreamUrl === null ? '' : ` at ${b.upstreamUrl}`}`,
    `upstream key fingerprint (SHA-256): ${b.upstreamKeyFingerprint}`,
    `mode: ${b.mode}`,
    `credential expires: ${iso(b.credentialExpiresAt)} (${credential})`,
    `last sync: ${lastSync}`,
    `sync age: ${s.syncAge}`,
    `next run: ${iso(s.state.nextRunAt)}`,
    `last error: ${s.state.lastError === null ? '-' : `${iso(s.state.lastErrorAt)} ${s.state.lastError}`}`,
    `sequences: request ${s.state.requestSequence}, acknowledged ${s.state.acknowledgedSequence}, upstream ${s.state.upstreamSequence}`,
    `virtual accounts: ${s.virtualAccounts.map((v) => `${v.account}/${v.virtualAccount}`).join(', ')}`,
  ];
}
