import type { Command } from 'commander';
import type { ImportRecord } from '../../licensing/sync-import/upstream-snapshot.js';
import { importRefusalReason, type ImportResult } from '../../sync/import/response-importer.js';
import { DATA_OPTION, printRows, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `satellite sync import <response.zip>` and `satellite sync imports`: the disconnected half of the one
 * import path (DESIGN §5.3). A refusal prints its stable reason code and exits 1 with nothing applied; the
 * history keeps it (REFUSED, reason, SHA-256).
 */
export function registerSyncImportCommands(sync: Command, context: AdminCliContext): void {
  sync
    .command('import <file>')
    .description('import a response bundle from the upstream: verifies the pinned signature, then applies it in one transaction')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { data?: string; json?: boolean }) => {
      await context.open(opts.data, async (satellite) => {
        let result: ImportResult;
        try {
          result = await satellite.responseImporter.importFile(file, cliActor());
        } catch (error) {
          const reason = importRefusalReason(error);
          if (reason === null) throw error;
          const message = error instanceof Error ? error.message : String(error);
          if (opts.json) context.out(JSON.stringify({ status: 'REFUSED', reason, message }));
          // The entry point prints this and exits 1, the same as every other failed command.
          throw new Error(`refused (${reason}): ${message}; nothing was applied (the refusal is in \`satellite sync imports\`)`, { cause: error });
        }
        if (opts.json) {
          context.out(JSON.stringify(result));
          return;
        }
        if (result.status === 'ALREADY_IMPORTED') {
          context.out(`already imported: bundle ${result.bundleId} (sequence ${result.sequence}); nothing to do`);
          return;
        }
        for (const line of summaryLines(result.summary)) context.out(line);
      });
    });
  sync
    .command('imports')
    .description('the response import history, newest first')
    .option('--limit <n>', 'rows to show', '20')
    .option(...DATA_OPTION)
    .action(async (opts: { limit: string; data?: string }) => {
      await context.open(opts.data, (satellite) => {
        const limit = Math.min(Math.max(Number.parseInt(opts.limit, 10) || 20, 1), 1000);
        // Refused rows show their reason where the counts would be, and every row ends with the file's SHA-256.
        printRows(context, satellite.responseImporter.history(limit).map((r) => (r.result === 'IMPORTED'
          ? [iso(r.importedAt), r.sequence, r.bundleId, r.result, r.linesAdded, r.linesUpdated, r.linesEnded, r.actorId, r.fileSha256]
          : [iso(r.importedAt), r.sequence, r.bundleId, r.result, r.reason, null, null, r.actorId, r.fileSha256])));
      });
    });
}

function summaryLines(s: ImportRecord): string[] {
  return [
    `imported: bundle ${s.bundleId} (sequence ${s.sequence})`,
    `license lines: ${s.linesAdded} added, ${s.linesUpdated} updated, ${s.linesEnded} ended`,
    `virtual accounts created: ${s.virtualAccountsCreated}`,
    `notices: ${s.notices}`,
    `acknowledged request sequence: ${s.acknowledgedSequence ?? '-'}`,
  ];
}
