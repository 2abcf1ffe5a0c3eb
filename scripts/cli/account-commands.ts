import type { Command } from 'commander';
import { DATA_OPTION, printRows, processCliContext, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

interface CommonOptions { data?: string; json?: boolean }

const iso = (ms: number) => new Date(ms).toISOString();

/** `satellite account ...` and `satellite va ...`: the InventoryService the admin routes use, as the local `cli:<os user>`. */
export function registerAccountCommands(program: Command, context: AdminCliContext = processCliContext): void {
  const account = program.command('account').description('local accounts');
  account
    .command('create <name>')
    .description('create a local account')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: CommonOptions) => {
      await context.open(opts.data, (satellite) => {
        const created = satellite.inventory.createAccount(name, cliActor());
        if (opts.json) context.out(JSON.stringify({ id: created.id, name: created.name, createdAt: iso(created.createdAt) }));
        else context.err(`account ${created.name} created`);
      });
    });
  account
    .command('list')
    .description('list accounts with their number of virtual accounts')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      await context.open(opts.data, (satellite) => {
        const rows = satellite.inventory.listAccounts().map((a) => ({
          name: a.name, virtualAccounts: satellite.inventory.listVirtualAccounts(a.id).length, createdAt: iso(a.createdAt),
        }));
        if (opts.json) context.out(JSON.stringify(rows));
        else printRows(context, rows.map((r) => [r.name, r.virtualAccounts, r.createdAt]));
      });
    });

  const va = program.command('va').description('virtual accounts');
  va
    .command('create <name>')
    .description('create a virtual account in an account')
    .requiredOption('--account <name>', 'account name')
    .option('--description <text>', 'what the virtual account is for')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: CommonOptions & { account: string; description?: string }) => {
      await context.open(opts.data, (satellite) => {
        const created = satellite.inventory.createVirtualAccount(opts.account, name, opts.description ?? '', cliActor());
        if (opts.json) context.out(JSON.stringify({ id: created.id, name: created.name, description: created.description }));
        else context.err(`virtual account ${opts.account}/${created.name} created`);
      });
    });
  va
    .command('list')
    .description('list the virtual accounts of an account')
    .requiredOption('--account <name>', 'account name')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { account: string }) => {
      await context.open(opts.data, (satellite) => {
        const owner = satellite.inventory.findAccount(opts.account);
        const rows = satellite.inventory.listVirtualAccounts(owner.id).map((v) => ({
          name: v.name, origin: v.origin, description: v.description, createdAt: iso(v.createdAt),
        }));
        if (opts.json) context.out(JSON.stringify(rows));
        else printRows(context, rows.map((r) => [r.name, r.origin, r.description || null]));
      });
    });
}
