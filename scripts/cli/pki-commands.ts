import type { Command } from 'commander';
import { systemClock } from '../../licensing/shared/clock.js';
import { loadConfig } from '../../server/config.js';
import { reissueTlsFiles } from '../../server/pki/pki-file-store.js';
import { pkiChainPem } from '../../server/http/pki-chain.js';
import { DATA_OPTION } from './admin-cli-context.js';
import { holdsSatellite, withSatellite } from './offline-satellite.js';

/** `satellite pki chain|tls-reissue` (DESIGN §4.5, §11). The root CA is never touched here. */
export function registerPkiCommands(program: Command): void {
  const pki = program.command('pki').description('the satellite PKI: certificate chain, TLS certificate');
  pki
    .command('chain')
    .description('print the signing certificate and the root CA (PEM), as GET /pki/chain.pem serves them')
    .option(...DATA_OPTION)
    .action(async (opts: { data?: string }) => {
      await withSatellite(opts.data, (satellite) => {
        process.stdout.write(pkiChainPem(satellite));
      });
    });
  pki
    .command('tls-reissue')
    .description('issue a new TLS certificate under the same root for SATELLITE_HOSTNAMES (or --hostnames); restart serve to use it')
    .option('--hostnames <names>', 'comma-separated DNS names and IP addresses (default SATELLITE_HOSTNAMES)')
    .option(...DATA_OPTION)
    .action(async (opts: { hostnames?: string; data?: string }) => {
      const config = loadConfig({
        ...process.env, ...(opts.data ? { SATELLITE_DATA_DIR: opts.data } : {}), ...(opts.hostnames !== undefined ? { SATELLITE_HOSTNAMES: opts.hostnames } : {}),
      });
      if (!holdsSatellite(config)) {
        throw new Error(`no satellite in ${config.dataDir}; point --data or SATELLITE_DATA_DIR at the satellite's data directory`);
      }
      const issued = await reissueTlsFiles(config.dataDir, config.hostNames, systemClock.now());
      process.stdout.write(`${issued.path}\n`);
      process.stderr.write(`TLS certificate for ${issued.hostNames.join(', ')} issued under the existing root CA; restart satellite serve to use it\n`);
    });
}
