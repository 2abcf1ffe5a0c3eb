import type { Command } from 'commander';
import { toCatalogEntryView } from '../../server/admin/catalog/catalog-views.js';
import { DATA_OPTION, printRows, processCliContext, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

interface ListOptions { data?: string; json?: boolean }
interface SetOptions { name: string; description?: string; level?: string; substitutes?: string; data?: string; json?: boolean }

/** `satellite catalog list|set`: the satellite-wide catalog and its substitution ladders (DESIGN §8.2). */
export function registerCatalogCommands(program: Command, context: AdminCliContext = processCliContext): void {
  const catalog = program.command('catalog').description('the satellite-wide catalog: names and substitution ladders per tag');
  catalog
    .command('list')
    .description('catalog entries: a header row, then tab-separated rows (or --json)')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: ListOptions) => {
      await context.open(opts.data, (satellite) => {
        const entries = satellite.catalog.list();
        if (opts.json) {
          context.out(JSON.stringify(entries.map(toCatalogEntryView)));
          return;
        }
        printRows(context, [['Tag', 'Name', 'Level', 'Substitutes', 'Origin'], ...entries.map((e) => [
          e.tag, e.displayName, e.substitutionLevel, e.substitutes.length === 0 ? null : e.substitutes.join(';'), e.origin,
        ])]);
      });
    });
  catalog
    .command('set <tag>')
    .description('create or replace a catalog entry')
    .requiredOption('--name <displayName>', 'display name')
    .option('--description <text>', 'description')
    .option('--level <n>', 'substitution level (a larger level is a higher tier)')
    .option('--substitutes <tags>', 'the lower tags this tier may stand in for, separated by ;')
    .option(...DATA_OPTION)
    .option('--json', 'print the entry as JSON')
    .action(async (tag: string, opts: SetOptions) => {
      await context.open(opts.data, (satellite) => {
        const entry = satellite.catalog.set(tag, {
          displayName: opts.name,
          ...(opts.description !== undefined ? { description: opts.description } : {}),
          ...(opts.level !== undefined ? { substitutionLevel: /^\d+$/.test(opts.level) ? Number(opts.level) : Number.NaN } : {}),
          ...(opts.substitutes !== undefined ? { substitutes: opts.substitutes.split(';').filter((t) => t.trim() !== '') } : {}),
        }, cliActor());
        context.out(opts.json ? JSON.stringify(toCatalogEntryView(entry)) : entry.tag);
        context.err(`catalog entry ${entry.displayName} set`);
      });
    });
}
