import { InvalidArgumentError, type Command } from 'commander';
import type { InstanceSummary } from '../../licensing/instances/instance-views.js';
import { instanceSummaryView } from '../../server/admin/instances/instance-schemas.js';
import { DATA_OPTION, printRows, processCliContext, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

interface ListOptions { account: string; va?: string; search?: string; limit: number; offset: number; all?: boolean; json?: boolean; data?: string }
interface TransferOptions { to: string; force?: boolean; json?: boolean; data?: string }
interface RemoveOptions { data?: string }

const PAGE_MAX = 1000;

/**
 * `satellite instance list|remove|transfer`: the product instance inventory from the terminal, through the
 * same services as the admin API. Changes are recorded with the actor `cli:<os user>`.
 */
export function registerInstanceCommands(program: Command, context: AdminCliContext = processCliContext): void {
  const instance = program.command('instance').description('product instances (registered devices)');
  instance
    .command('list')
    .description('product instances of an account, newest contact first (tab-separated, or --json)')
    .requiredOption('--account <name>', 'account name')
    .option('--va <name>', 'only this virtual account')
    .option('--search <text>', 'substring of hostname, IP, UDI PID or serial number, or instance id')
    .option('--all', 'include deregistered and removed instances')
    .option('--limit <n>', `at most this many rows (1-${PAGE_MAX})`, integerFlag(PAGE_MAX), 50)
    .option('--offset <n>', 'rows to skip', integerFlag(Number.MAX_SAFE_INTEGER, 0), 0)
    .option(...DATA_OPTION)
    .option('--json', 'print JSON: { productInstances, total }')
    .action(async (opts: ListOptions) => {
      await context.open(opts.data, async (satellite) => {
        const account = satellite.inventory.findAccount(opts.account);
        // Its own process: the exact count costs nobody else a stall.
        const page = await satellite.instanceQueries.list({
          accountId: account.id,
          virtualAccountId: opts.va === undefined ? undefined : satellite.inventory.findVirtualAccount(opts.account, opts.va).id,
          search: opts.search,
          registrationState: opts.all ? undefined : 'REGISTERED',
          sort: '-lastContact', limit: opts.limit, offset: opts.offset,
        }, 'exact');
        if (opts.json) {
          context.out(JSON.stringify({ productInstances: page.instances.map(instanceSummaryView), total: page.total }));
          return;
        }
        printRows(context, page.instances.map(row));
        context.err(`${page.instances.length} of ${page.total} product instance${page.total === 1 ? '' : 's'} in ${account.name}`);
      });
    });
  instance
    .command('transfer <id>')
    .description('move a product instance and its license usage to another virtual account of its account')
    .requiredOption('--to <va>', 'target virtual account name')
    .option('--force', 'transfer even when the target pools are short; those tags become OUT_OF_COMPLIANCE')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (id: string, opts: TransferOptions) => {
      await context.open(opts.data, (satellite) => {
        const account = satellite.instanceQueries.accountOf(id);
        const target = satellite.inventory.findVirtualAccount(account.name, opts.to);
        const outcome = satellite.instanceAdmin.transfer({
          accountId: account.id, instanceId: id, targetVirtualAccountId: target.id, force: opts.force === true, actorId: cliActor(),
        });
        if (opts.json) {
          context.out(JSON.stringify({ from: outcome.from.name, to: outcome.to.name, shortfalls: outcome.shortfalls, entitlements: outcome.entitlements }));
          return;
        }
        context.out(`${id}\t${outcome.from.name} -> ${outcome.to.name}`);
        for (const s of outcome.shortfalls) context.err(`out of compliance: ${s.displayName ?? s.tag} needs ${s.needed}, ${s.available} available`);
      });
    });
  instance
    .command('remove <id>')
    .description('remove a product instance: its licenses return to the pools and its ID certificate is revoked')
    .option(...DATA_OPTION)
    .action(async (id: string, opts: RemoveOptions) => {
      await context.open(opts.data, (satellite) => {
        const account = satellite.instanceQueries.accountOf(id);
        const removed = satellite.instanceAdmin.remove({ accountId: account.id, instanceId: id, actorId: cliActor() });
        context.out(`${removed.id}\tremoved`);
      });
    });
}

function row(s: InstanceSummary): Array<string | null> {
  const i = s.instance;
  return [
    i.id, i.hostname, `${i.udi.pid} ${i.udi.serialNumber}`, s.virtualAccountName, i.registrationState, i.authorizationState,
    new Date(i.lastContactAt).toISOString(),
  ];
}

function integerFlag(max: number, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}
