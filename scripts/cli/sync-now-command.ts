import type { Command } from 'commander';
import { DATA_OPTION, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

/**
 * `satellite sync now`: one connected sync in this process, through the same runner the schedule uses
 * (export, POST, import). Exits non-zero when the sync failed, naming the failure class.
 */
export function registerSyncNowCommand(sync: Command, context: AdminCliContext): void {
  sync
    .command('now')
    .description('sync with the upstream now (connected mode): export a request, POST it, import the response')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: { data?: string; json?: boolean }) => {
      await context.open(opts.data, async (satellite) => {
        const outcome = await satellite.syncRunner.runNow(cliActor());
        if (opts.json) context.out(JSON.stringify(outcome.ok ? { ok: true, attempts: outcome.attempts, ...outcome.result } : outcome));
        // The CLI's error path prints it and exits non-zero; the failure is already in sync_state and the alerts.
        if (!outcome.ok) throw new Error(`sync failed (${outcome.failureClass}): ${outcome.message}`);
        if (!opts.json) context.out(`sync: ${outcome.result.status} response ${outcome.result.bundleId} (sequence ${outcome.result.sequence})`);
      });
    });
}
