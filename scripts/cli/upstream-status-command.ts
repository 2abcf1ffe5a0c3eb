import type { Command } from 'commander';
import type { RegisteredSatellite } from '../../licensing/upstream/registered-satellite.js';
import type { SatelliteReportSummary } from '../../licensing/upstream/satellite-report.js';
import type { UpstreamCliContext } from './upstream-cli-context.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * `satellite upstream status`: the satellites the reference upstream serves and what their accepted requests
 * reported (product instances, usage, the locally created VAs and the event summary), as text or `--json`.
 */
export function registerUpstreamStatusCommand(upstream: Command, context: UpstreamCliContext): void {
  upstream
    .command('status')
    .description('registered satellites: sync state and what their requests reported (instances, usage, local VAs, event summary)')
    .requiredOption('--data <dir>', 'the upstream data directory (its key, id and upstream.db)')
    .option('--satellite <id>', 'only this satellite')
    .option('--json', 'print JSON')
    .action(async (opts: { data: string; satellite?: string; json?: boolean }) => {
      await context.open(opts.data, (u) => {
        const rows = u.sync.status(opts.satellite);
        if (opts.json) {
          context.out(JSON.stringify({ upstream_id: u.identity.upstreamId, satellites: rows.map((r) => statusJson(r.satellite, r.reports)) }));
          return;
        }
        context.out(`upstream ${u.identity.upstreamId}: ${rows.length} satellite${rows.length === 1 ? '' : 's'}`);
        for (const row of rows) for (const line of statusText(row.satellite, row.reports)) context.out(line);
      });
    });
}

function statusJson(s: RegisteredSatellite, r: SatelliteReportSummary): Record<string, unknown> {
  return {
    satellite_id: s.id, name: s.name, state: s.retiredAt === null ? 'active' : 'retired', accounts: s.accounts,
    registered_at: iso(s.registeredAt), last_sync_at: iso(s.lastSyncAt), retired_at: iso(s.retiredAt),
    credential_expires_at: iso(s.credentialExpiresAt), request_sequence: s.requestSequence, response_sequence: s.responseSequence,
    key_pinned: s.satellitePublicKeyPem !== null, product_instances: r.instances, usage_rows: r.usageRows,
    virtual_accounts: r.virtualAccounts.map((v) => ({
      account: v.account, name: v.name, description: v.description, created_at: iso(v.createdAt), reported_sequence: v.reportedSequence,
    })),
    event_summary: r.eventSummary.map((e) => ({
      type: e.type, count: e.count, first_at: iso(e.firstAt), last_at: iso(e.lastAt), reported_sequence: e.reportedSequence,
    })),
  };
}

function statusText(s: RegisteredSatellite, r: SatelliteReportSummary): string[] {
  const lines = [
    `satellite ${s.name} (${s.id}): ${s.retiredAt === null ? 'active' : `retired on ${iso(s.retiredAt)}`}`,
    `  accounts: ${s.accounts.map((a) => `${a.account} (${a.virtualAccounts.join(', ')})`).join('; ')}`,
    `  last sync: ${s.lastSyncAt === null ? 'never' : `${iso(s.lastSyncAt)} (request ${s.requestSequence}, response ${s.responseSequence})`}`,
    `  credential until: ${iso(s.credentialExpiresAt)}; signing key ${s.satellitePublicKeyPem === null ? 'not pinned yet' : 'pinned'}`,
    `  product instances: ${r.instances.registered} registered, ${r.instances.removed} removed; usage rows: ${r.usageRows}`,
    `  local virtual accounts: ${r.virtualAccounts.length === 0 ? 'none' : ''}`,
    ...r.virtualAccounts.map((v) => `    ${v.account}/${v.name}${v.description === '' ? '' : ` - ${v.description}`} (created ${iso(v.createdAt)})`),
    `  event summary: ${r.eventSummary.length === 0 ? 'none' : `(request ${r.eventSummary[0]?.reportedSequence ?? '-'})`}`,
    ...r.eventSummary.map((e) => `    ${e.type}: ${e.count} (${iso(e.firstAt)} .. ${iso(e.lastAt)})`),
  ];
  return lines.map((line) => line.trimEnd());
}
