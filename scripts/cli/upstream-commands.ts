import { readFile, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MS_PER_DAY } from '../../licensing/shared/clock.js';
import type { OrderLoadSummary } from '../../licensing/upstream/order-book-service.js';
import { readOrdersFile, type OrdersFormat } from '../../sync/upstream/orders-file-reader.js';
import { RequestProcessor } from '../../sync/upstream/request-processor.js';
import type { ReferenceUpstream } from '../../sync/upstream/reference-upstream.js';
import { startUpstreamServer } from '../../sync/upstream/upstream-server.js';
import { repeatable } from './auth-cli-options.js';
import { processUpstreamContext, type UpstreamCliContext } from './upstream-cli-context.js';
import { registerUpstreamStatusCommand } from './upstream-status-command.js';

interface InitOptions { data: string; orders?: string; format?: OrdersFormat; json?: boolean }
interface RegisterOptions {
  data: string; name: string; account: string[]; va: string[]; satelliteId?: string; url?: string; credentialDays: number; out: string; json?: boolean;
}
interface ServeOptions { data: string; port: number; host: string; tlsCert?: string; tlsKey?: string }

const DATA = ['--data <dir>', 'the upstream data directory (its key, id and upstream.db)'] as const;
const FORMAT = () => new Option('--format <format>', 'orders file format (default: from the extension)').choices(['json', 'csv']);

/**
 * `satellite upstream ...`: the reference upstream of DESIGN §5.4 (docs/upstream.md), a separate party with
 * its own data directory, key, database and port. It is here so both sync modes run end to end.
 */
export function registerUpstreamCommands(program: Command, context: UpstreamCliContext = processUpstreamContext): void {
  const upstream = program.command('upstream').description('the reference upstream (CSSM role): orders, satellite registration, sync server');
  upstream
    .command('init')
    .description('create the upstream data directory, its id and P-256 key (kept if present), and load an orders file')
    .requiredOption(...DATA)
    .option('--orders <file>', 'orders file (JSON or CSV, docs/upstream.md)')
    .addOption(FORMAT())
    .option('--json', 'print JSON')
    .action(async (opts: InitOptions) => {
      await context.open(opts.data, async (u) => {
        const summary = opts.orders === undefined ? null : u.orders.load(await readOrdersFile(opts.orders, opts.format));
        if (opts.json) {
          context.out(JSON.stringify({ ...u.info(), created: u.identityCreated, orders: summary }));
          return;
        }
        context.out(`upstream id: ${u.identity.upstreamId}`);
        context.out(`upstream key fingerprint (SHA-256): ${u.identity.fingerprint}`);
        context.err(u.identityCreated ? `created the upstream in ${u.dataDir}` : `the upstream in ${u.dataDir} already existed; kept its id and key`);
        if (summary) context.err(describeLoad(summary));
      });
    });
  upstream
    .command('load-orders <file>')
    .description('load or reload the orders file: lines are matched by order_line_id; a line no longer listed ends')
    .requiredOption(...DATA)
    .addOption(FORMAT())
    .option('--json', 'print JSON')
    .action(async (file: string, opts: InitOptions) => {
      const lines = await readOrdersFile(file, opts.format);
      await context.open(opts.data, (u) => {
        const summary = u.orders.load(lines);
        if (opts.json) context.out(JSON.stringify(summary));
        else context.out(describeLoad(summary));
      });
    });
  upstream
    .command('register-satellite')
    .description('register a satellite (or re-issue for --satellite-id) and write its signed registration file')
    .requiredOption(...DATA)
    .requiredOption('--name <name>', 'the satellite name')
    .requiredOption('--account <name>', 'smart account the satellite serves (repeatable)', repeatable, [])
    .option('--va <name>', 'virtual account of the single --account (repeatable; default all of them)', repeatable, [])
    .option('--satellite-id <uuid>', 'the satellite id: a known one re-issues its file (new expiry, mapping); default a new id')
    .option('--url <url>', 'the upstream URL the satellite reaches in connected mode (default: none, files only)')
    .option('--credential-days <n>', 'credential validity in days', positiveInteger, 365)
    .requiredOption('--out <file>', 'where to write the registration file')
    .option('--json', 'print JSON')
    .action(async (opts: RegisterOptions) => {
      if (opts.va.length > 0 && opts.account.length !== 1) throw new InvalidArgumentError('--va needs exactly one --account');
      await context.open(opts.data, async (u) => {
        const { satellite, file } = u.issueRegistration({
          ...(opts.satelliteId === undefined ? {} : { satelliteId: opts.satelliteId }),
          name: opts.name,
          accounts: opts.account.map((account) => ({ account, virtualAccounts: opts.va })),
          credentialValidityMs: opts.credentialDays * MS_PER_DAY,
        }, opts.url ?? null);
        await writeFile(opts.out, file);
        if (opts.json) {
          context.out(JSON.stringify({ satellite_id: satellite.id, file: opts.out, fingerprint: u.identity.fingerprint, credential_expires_at: satellite.credentialExpiresAt }));
          return;
        }
        context.out(`satellite id: ${satellite.id}`);
        context.out(`upstream key fingerprint (SHA-256): ${u.identity.fingerprint}`);
        context.err(`wrote ${opts.out} for satellite ${satellite.name}: ${satellite.accounts.map((a) => `${a.account} (${a.virtualAccounts.join(', ')})`).join('; ')}, credential until ${new Date(satellite.credentialExpiresAt).toISOString()}`);
        context.err('give the satellite admin the file and, separately, the fingerprint: `satellite sync register <file> --fingerprint <sha256>`');
      });
    });
  upstream
    .command('process <request>')
    .description('process a satellite request bundle and write the signed response bundle (disconnected mode)')
    .requiredOption(...DATA)
    .requiredOption('--out <file>', 'the response bundle to write, e.g. response.zip')
    .option('--json', 'print JSON')
    .action(async (requestFile: string, opts: { data: string; out: string; json?: boolean }) => {
      await context.open(opts.data, async (u) => {
        const done = await new RequestProcessor(u).processRequest(requestFile, opts.out);
        const lines = done.response.entries.find((e) => e.kind === 'license-lines')?.records ?? 0;
        if (opts.json) {
          context.out(JSON.stringify({
            satellite_id: done.satellite.id, request_sequence: done.request.sequence, response_sequence: done.response.sequence,
            response_bundle_id: done.response.bundle_id, product_instances: done.productInstances, license_lines: lines,
            pinned_key: done.pinnedKey, credential_expires_at: done.satellite.credentialExpiresAt, file: opts.out,
          }));
          return;
        }
        context.out(`satellite: ${done.satellite.name} (${done.satellite.id})`);
        context.out(`request sequence: ${done.request.sequence}`);
        context.out(`response bundle: ${opts.out}`);
        context.err(`${done.productInstances} product instances recorded, ${lines} license lines sent, credential until ${new Date(done.satellite.credentialExpiresAt).toISOString()}`);
        if (done.pinnedKey) context.err('first request from this satellite: its bundle signing key is now pinned');
      });
    });
  registerUpstreamStatusCommand(upstream, context);
  upstream
    .command('serve')
    .description('run the upstream server on its own port (GET /healthz, GET /upstream/v1/info, POST /upstream/v1/sync)')
    .requiredOption(...DATA)
    .option('--port <port>', 'listen port (0 picks a free one)', port, 8444)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--tls-cert <file>', 'PEM certificate chain: serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .action(async (opts: ServeOptions) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new InvalidArgumentError('--tls-cert and --tls-key go together');
      const tls = opts.tlsCert && opts.tlsKey ? { cert: await readFile(opts.tlsCert, 'utf8'), key: await readFile(opts.tlsKey, 'utf8') } : undefined;
      await context.open(opts.data, async (u: ReferenceUpstream) => {
        const running = await startUpstreamServer(u, { port: opts.port, host: opts.host, logger: context.logger(), ...(tls ? { tls } : {}) });
        context.out(`upstream ${u.identity.upstreamId} is serving on ${running.url}`);
        context.out(`upstream key fingerprint (SHA-256): ${u.identity.fingerprint}`);
        await context.untilShutdown();
        await running.close();
      });
    });
}

function describeLoad(s: OrderLoadSummary): string {
  return `orders loaded: ${s.inserted} new, ${s.updated} updated (${s.reactivated} reactivated), ${s.ended} ended, ${s.unchanged} unchanged`
    + `; created ${s.accountsCreated} smart accounts and ${s.virtualAccountsCreated} virtual accounts`;
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a positive whole number, got ${value}`);
  return Number(value);
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError(`expected a port 0-65535, got ${value}`);
  return Number(value);
}
