import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { readListeningFile } from '../../server/first-start/listening-file.js';
import { PKI_FILES } from '../../server/pki/pki-file-store.js';

/**
 * `satellite healthcheck`: the container's HEALTHCHECK. GET /healthz where serve wrote that it listens
 * (<data>/listening.json), trusting only the satellite root CA, so a wrong port, address or certificate
 * shows up as unhealthy instead of passing with rejectUnauthorized off.
 */
export function registerHealthcheckCommand(program: Command): void {
  program
    .command('healthcheck')
    .description('exit 0 when the satellite serving from the data directory answers /healthz over verified TLS')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .option('--timeout <ms>', 'give up after this long', '5000')
    .action(async (opts: { data?: string; timeout: string }) => {
      const config = loadConfig({ ...process.env, ...(opts.data ? { SATELLITE_DATA_DIR: opts.data } : {}) });
      const where = readListeningFile(config.dataDir);
      if (!where) throw new Error(`no satellite is serving from ${config.dataDir} (no listening.json)`);
      // An admin's own certificate (SATELLITE_TLS_CERT) chains to their CA: trust the usual roots and that file too.
      const ca = config.tlsCertFile
        ? [...rootCertificates, readFileSync(config.tlsCertFile, 'utf8')]
        : readFileSync(join(config.dataDir, 'pki', PKI_FILES.rootCertificatePem), 'utf8');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: where.host, port: where.port, servername: where.serverName, path: '/healthz', ca, timeout: Number(opts.timeout) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer from ${where.host}:${where.port} within ${opts.timeout} ms`)));
        req.on('error', reject);
        req.end();
      });
      if (status !== 200) throw new Error(`/healthz answered ${status}`);
      process.stdout.write(`ok: https://${where.serverName}:${where.port}/healthz via ${where.host}\n`);
    });
}
