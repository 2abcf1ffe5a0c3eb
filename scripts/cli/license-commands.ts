import { InvalidArgumentError, type Command } from 'commander';
import type { LicenseType } from '../../licensing/licenses/license-line.js';
import { substitutionLabel, toLicenseLineView, toPoolRow, toToolkitLicenseRow } from '../../server/admin/licenses/license-views.js';
import { DATA_OPTION, printRows, processCliContext, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

interface LicenseListOptions { account: string; va?: string; data?: string; json?: boolean; lines?: boolean }
interface LineOptions {
  account: string; va: string; tag: string; name: string; quantity: number; type?: LicenseType; start?: number; end?: number;
  description?: string; data?: string; json?: boolean;
}
interface UpdateOptions {
  name?: string; quantity?: number; type?: LicenseType; start?: number; end?: number | false; description?: string; data?: string; json?: boolean;
}
interface EndOptions { at?: number; data?: string; json?: boolean }

const statusWord = (status: string) => (status === 'INSUFFICIENT' ? 'Out of Compliance' : 'In Compliance');
const ACCOUNT_HEADER = ['License', 'Billing', 'Quantity', 'In Use', 'Reserved', 'Substitution', 'Available', 'Status', 'Tag'];
const VA_HEADER = ['License', 'Billing', 'Purchased', 'In Use', 'Reserved', 'Substitution', 'Balance', 'Status', 'Tag'];

/**
 * `satellite license list|add|update|end`: the license tables of the seeds (account, or one VA with --va) and
 * the local lines that stock a satellite without an upstream. Changes are recorded with the actor cli:<os user>.
 */
export function registerLicenseCommands(program: Command, context: AdminCliContext = processCliContext): void {
  const license = program.command('license').description('license pools and local license lines');
  license
    .command('list')
    .description('licenses of an account (one row per license), or of one virtual account with --va; a header row, then tab-separated rows')
    .requiredOption('--account <name>', 'account name')
    .option('--va <name>', 'virtual account name')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON (the API toolkit rows, or the VA\'s pools)')
    .option('--lines', 'with --va --json: each pool with its lines (ids for license update|end)')
    .action(async (opts: LicenseListOptions) => {
      await context.open(opts.data, (satellite) => {
        if (opts.va === undefined) {
          const account = satellite.inventory.findAccount(opts.account);
          const rows = satellite.licensePools.accountLicenses(account.id);
          if (opts.json) {
            context.out(JSON.stringify(rows.map(toToolkitLicenseRow)));
            return;
          }
          printRows(context, [ACCOUNT_HEADER, ...rows.map((r) => [
            r.displayName, r.billing, r.quantity, inUseText(r.inUse, r.reserved), r.reserved, substitutionLabel(r.borrowed, r.lent), r.available, statusWord(r.status), r.tag,
          ])]);
          return;
        }
        const va = satellite.inventory.findVirtualAccount(opts.account, opts.va);
        const pools = satellite.licensePools.virtualAccountPools(va.id);
        if (opts.json) {
          const now = satellite.clock.now();
          context.out(JSON.stringify(pools.map((p) => {
            const { lines, ...row } = toPoolRow(p, now);
            return opts.lines ? { ...row, lines } : row;
          })));
          return;
        }
        printRows(context, [VA_HEADER, ...pools.map((p) => [
          p.displayName, p.billing, p.purchased, inUseText(p.inUse, p.reserved), p.reserved, substitutionLabel(p.borrowed, p.lent), p.balance, statusWord(p.status), p.tag,
        ])]);
      });
    });
  license
    .command('add')
    .description('add a local license line to a virtual account; prints the line id')
    .requiredOption('--account <name>', 'account name')
    .requiredOption('--va <name>', 'virtual account name')
    .requiredOption('--tag <tag>', 'entitlement tag')
    .requiredOption('--name <displayName>', 'display name')
    .requiredOption('--quantity <n>', 'quantity', integerFlag)
    .option('--type <type>', 'PERPETUAL (default), TERM or SUBSCRIPTION', typeFlag)
    .option('--start <time>', 'ISO 8601 or epoch ms (default now)', timeFlag)
    .option('--end <time>', 'ISO 8601 or epoch ms (none for perpetual lines)', timeFlag)
    .option('--description <text>', 'description')
    .option(...DATA_OPTION)
    .option('--json', 'print the line as JSON')
    .action(async (opts: LineOptions) => {
      await context.open(opts.data, (satellite) => {
        const va = satellite.inventory.findVirtualAccount(opts.account, opts.va);
        const line = satellite.inventory.addLicenseLine(va.id, {
          tag: opts.tag, displayName: opts.name, quantity: opts.quantity,
          ...(opts.type !== undefined ? { licenseType: opts.type } : {}),
          ...(opts.start !== undefined ? { startsAt: opts.start } : {}),
          ...(opts.end !== undefined ? { endsAt: opts.end } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        }, cliActor());
        context.out(opts.json ? JSON.stringify(toLicenseLineView(line, satellite.clock.now())) : line.id);
        context.err(`${line.quantity} x ${line.displayName} added to ${opts.account}/${opts.va}`);
      });
    });
  license
    .command('update <lineId>')
    .description('change a local license line')
    .option('--name <displayName>', 'display name')
    .option('--quantity <n>', 'quantity', integerFlag)
    .option('--type <type>', 'PERPETUAL, TERM or SUBSCRIPTION', typeFlag)
    .option('--start <time>', 'ISO 8601 or epoch ms', timeFlag)
    .option('--end <time>', 'ISO 8601 or epoch ms', timeFlag)
    .option('--no-end', 'remove the end (perpetual lines)')
    .option('--description <text>', 'description')
    .option(...DATA_OPTION)
    .option('--json', 'print the line as JSON')
    .action(async (lineId: string, opts: UpdateOptions) => {
      await context.open(opts.data, (satellite) => {
        const line = satellite.licenseLines.update(lineId, {
          ...(opts.name !== undefined ? { displayName: opts.name } : {}),
          ...(opts.quantity !== undefined ? { quantity: opts.quantity } : {}),
          ...(opts.type !== undefined ? { licenseType: opts.type } : {}),
          ...(opts.start !== undefined ? { startsAt: opts.start } : {}),
          ...(opts.end === false ? { endsAt: null } : opts.end !== undefined ? { endsAt: opts.end } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        }, cliActor());
        context.out(opts.json ? JSON.stringify(toLicenseLineView(line, satellite.clock.now())) : line.id);
        context.err(`license line ${line.id} updated: ${line.quantity} x ${line.displayName}`);
      });
    });
  license
    .command('end <lineId>')
    .description('end a local license line now, or at --at')
    .option('--at <time>', 'ISO 8601 or epoch ms (default now)', timeFlag)
    .option(...DATA_OPTION)
    .option('--json', 'print the line as JSON')
    .action(async (lineId: string, opts: EndOptions) => {
      await context.open(opts.data, (satellite) => {
        const line = satellite.licenseLines.end(lineId, cliActor(), opts.at);
        context.out(opts.json ? JSON.stringify(toLicenseLineView(line, satellite.clock.now())) : line.id);
        context.err(`license line ${line.id} ends at ${new Date(line.endsAt ?? 0).toISOString()}`);
      });
    });
}

/** The seeds' "In Use" column: `4 (4 Reserved)` when some seats are reserved (DESIGN §9.2). */
function inUseText(inUse: number, reserved: number): string | number {
  return reserved > 0 ? `${inUse} (${reserved} Reserved)` : inUse;
}

function integerFlag(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

function typeFlag(value: string): LicenseType {
  const upper = value.toUpperCase();
  if (upper !== 'PERPETUAL' && upper !== 'TERM' && upper !== 'SUBSCRIPTION') throw new InvalidArgumentError('expected PERPETUAL, TERM or SUBSCRIPTION');
  return upper;
}

export function timeFlag(value: string): number {
  const at = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(at)) throw new InvalidArgumentError('expected an ISO 8601 time or epoch milliseconds');
  return at;
}
