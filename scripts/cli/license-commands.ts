import type { Command } from 'commander';
import { DATA_OPTION, printRows, processCliContext, type AdminCliContext } from './admin-cli-context.js';

interface LicenseListOptions { account: string; va?: string; data?: string; json?: boolean }

const statusWord = (status: string) => (status === 'INSUFFICIENT' ? 'Out of Compliance' : 'In Compliance');

/** `satellite license list`: the account view of the API toolkit, or one VA's pools with --va. */
export function registerLicenseCommands(program: Command, context: AdminCliContext = processCliContext): void {
  const license = program.command('license').description('license pools');
  license
    .command('list')
    .description('licenses of an account (one row per license), or of one virtual account with --va')
    .requiredOption('--account <name>', 'account name')
    .option('--va <name>', 'virtual account name')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: LicenseListOptions) => {
      await context.open(opts.data, (satellite) => {
        if (opts.va === undefined) {
          const account = satellite.inventory.findAccount(opts.account);
          const rows = satellite.licensePools.accountLicenses(account.id).map((r) => ({
            license: r.displayName, tag: r.tag, quantity: r.quantity, inUse: r.inUse, available: r.available, status: statusWord(r.status),
          }));
          if (opts.json) context.out(JSON.stringify(rows));
          else printRows(context, rows.map((r) => [r.license, r.quantity, r.inUse, r.available, r.status, r.tag]));
          return;
        }
        const va = satellite.inventory.findVirtualAccount(opts.account, opts.va);
        const rows = satellite.licensePools.virtualAccountPools(va.id).map((p) => ({
          license: p.displayName, tag: p.tag, purchased: p.purchased, inUse: p.inUse, requested: p.consumed, reserved: p.reserved,
          balance: p.balance, status: statusWord(p.status),
        }));
        if (opts.json) context.out(JSON.stringify(rows));
        else printRows(context, rows.map((r) => [r.license, r.purchased, r.inUse, r.requested, r.reserved, r.balance, r.status, r.tag]));
      });
    });
}
