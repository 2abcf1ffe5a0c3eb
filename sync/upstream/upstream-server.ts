import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { MS_PER_HOUR } from '../../licensing/shared/clock.js';
import type { ReferenceUpstream } from './reference-upstream.js';
import { createUpstreamApp } from './upstream-http-app.js';

export interface UpstreamServerOptions {
  port: number;
  host?: string;
  /** PEM certificate chain and key: HTTPS when given, plain HTTP otherwise (bundles are signed either way). */
  tls?: { cert: string; key: string };
  logger: Logger;
  /** How often the retirement job runs; hourly by default. */
  retireEveryMs?: number;
}

export interface RunningUpstream {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Listens on its own port with its own database, and runs the retirement job at start and then periodically. */
export async function startUpstreamServer(upstream: ReferenceUpstream, options: UpstreamServerOptions): Promise<RunningUpstream> {
  const { logger } = options;
  const app = createUpstreamApp(upstream, logger);
  const server: Server = options.tls ? createHttpsServer({ ...options.tls, minVersion: 'TLSv1.2' }, app) : createHttpServer(app);
  server.requestTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const retire = () => {
    try {
      for (const s of upstream.registry.retireStaleSatellites(upstream.clock.now())) {
        logger.warn({ satelliteId: s.id, name: s.name, lastSyncAt: s.lastSyncAt }, 'retired a satellite that has not synced for 90 days');
      }
    } catch (error) {
      logger.error({ err: error }, 'the satellite retirement job failed');
    }
  };
  retire();
  const job = setInterval(retire, options.retireEveryMs ?? MS_PER_HOUR);
  job.unref();
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    server,
    url,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(job);
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
