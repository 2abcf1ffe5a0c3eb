import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { MS_PER_DAY, MS_PER_HOUR } from '../licensing/shared/clock.js';
import { KEY_CACHE_LIMIT } from '../licensing/pki/signature-verifier.js';
import { defaultLicensingTimers, type LicensingTimers } from '../licensing/shared/licensing-timers.js';
import type { AuthPolicy } from '../licensing/users/auth-policy.js';
import { formatZodIssues } from '../protocol/signed-envelope.js';
import { defaultConnectionLimits, type ConnectionLimits } from './http/connection-limits.js';
import { DEFAULT_SYNC_JITTER_MINUTES, DEFAULT_SYNC_SCHEDULE, syncScheduleSchema } from '../sync/connected/sync-schedule.js';

/** The only reader of the environment (DESIGN §2). Every variable is listed in the README's table. */
const envSchema = z.object({
  SATELLITE_DATA_DIR: z.string().default('./data'),
  SATELLITE_DATABASE: z.string().optional(),
  SATELLITE_HOST: z.string().default('0.0.0.0'),
  SATELLITE_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  SATELLITE_HOSTNAMES: z.string().optional(),
  SATELLITE_NAME: z.string().default('License Satellite'),
  SATELLITE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SATELLITE_TLS_CERT: z.string().optional(),
  SATELLITE_TLS_KEY: z.string().optional(),
  SATELLITE_DEVICE_RATE_LIMIT: z.coerce.number().int().min(0).default(6000),
  SATELLITE_CRYPTO_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  SATELLITE_READ_WORKER: z.enum(['0', '1', 'false', 'true']).default('1'),
  SATELLITE_DEVICE_READ_WORKER: z.enum(['0', '1', 'false', 'true']).default('0'),
  SATELLITE_DEVICE_KEY_CACHE: z.coerce.number().int().min(0).max(10_000_000).default(KEY_CACHE_LIMIT),
  SATELLITE_CHECKPOINT_WORKER: z.enum(['0', '1', 'false', 'true']).default('1'),
  SATELLITE_DEVICE_BODY_LIMIT_KB: z.coerce.number().int().min(4).max(1024).default(64),
  SATELLITE_CLOCK_SKEW_HOURS: z.coerce.number().positive().default(24),
  SATELLITE_ID_CERT_DAYS: z.coerce.number().int().positive().default(365),
  SATELLITE_ID_CERT_RENEW_DAYS: z.coerce.number().int().positive().default(180),
  SATELLITE_AUTHORIZATION_DAYS: z.coerce.number().int().positive().default(90),
  SATELLITE_AUTHORIZATION_RENEW_DAYS: z.coerce.number().int().positive().default(30),
  SATELLITE_OOC_REPORTS: z.coerce.number().int().positive().default(5),
  SATELLITE_SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  SATELLITE_SESSION_MAX_HOURS: z.coerce.number().positive().default(12),
  SATELLITE_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  SATELLITE_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  SATELLITE_LOGIN_LOCKOUT_MINUTES: z.coerce.number().positive().default(15),
  SATELLITE_AUTH_RATE_LIMIT: z.coerce.number().int().min(0).default(30),
  SATELLITE_SYNC_SCHEDULE: z.string().default(DEFAULT_SYNC_SCHEDULE).pipe(syncScheduleSchema),
  SATELLITE_SYNC_JITTER_MINUTES: z.coerce.number().int().min(0).max(720).default(DEFAULT_SYNC_JITTER_MINUTES),
  SATELLITE_SYNC_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(300),
  SATELLITE_UPSTREAM_CA: z.string().optional(),
  SATELLITE_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(defaultConnectionLimits.maxConnections),
  SATELLITE_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(defaultConnectionLimits.maxConnectionsPerAddress),
  SATELLITE_TLS_HANDSHAKE_TIMEOUT_SECONDS: z.coerce.number().positive().max(10).default(defaultConnectionLimits.tlsHandshakeTimeoutMs / 1000),
  SATELLITE_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().max(10).default(defaultConnectionLimits.headersTimeoutMs / 1000),
  SATELLITE_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(defaultConnectionLimits.keepAliveTimeoutMs / 1000),
  SATELLITE_BACKUP_SCHEDULE: z.string().pipe(syncScheduleSchema).optional(),
  SATELLITE_BACKUP_DIR: z.string().optional(),
  SATELLITE_BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  SATELLITE_METRICS_LOOPBACK_OPEN: z.enum(['true', 'false']).default('true'),
});

export interface HttpOptions {
  /** Requests per minute per client address on the device transports; 0 turns the limit off. */
  deviceRateLimitPerMinute: number;
  deviceBodyLimitBytes: number;
  /** Sign-in and OAuth token requests per minute per client address; 0 turns the limit off. */
  authRateLimitPerMinute: number;
  /** The built web UI (index.html and assets/); defaults to dist/web of this package. */
  webUiDir?: string;
  /** GET /metrics without credentials from the satellite's own host; off behind a local reverse proxy. */
  metricsOpenOnLoopback: boolean;
}

export interface SatelliteConfig {
  dataDir: string;
  databaseFile: string;
  host: string;
  port: number;
  hostNames: string[];
  name: string;
  logLevel: string;
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  http: HttpOptions;
  timers: LicensingTimers;
  auth: AuthPolicy;
  sync: SyncOptions;
  /** Caps and timeouts of the HTTPS server's connections (main.ts). */
  connections: ConnectionLimits;
  backup: BackupOptions;
  deviceCrypto: DeviceCryptoOptions;
  /** WAL checkpoints on a worker thread (db/sqlite-wal-checkpointer.ts) rather than in the writer's COMMIT. */
  checkpointWorker: boolean;
  /** SATELLITE_READ_WORKER: the admin's instance lists and CSV exports on a read worker thread (default on). */
  readWorker: boolean;
  /**
   * SATELLITE_DEVICE_READ_WORKER: device requests parsed and read early on a worker thread. Off by default: the write
   * transaction reads the same pages again on its own connection, so at 1M the worker took 23-70 µs off the event loop
   * for ~150 µs more CPU per request (docs/performance.md, "Device read worker"). It pays when those pages are on disk.
   */
  deviceReadWorker: boolean;
}

/** Where device signatures are checked (docs/performance.md, "Device hot path at scale"). */
export interface DeviceCryptoOptions {
  /** Worker threads verifying device signatures; 0 verifies on the event loop. Default: cores - 1, at least 1. */
  workers: number;
  /** Imported device keys kept per worker (or inline); 0 imports every key every time. */
  keyCacheSize: number;
}

/** Scheduled backups (docs/operations.md); off unless a schedule is set. */
export interface BackupOptions {
  cronExpression: string | null;
  directory: string;
  keep: number;
}

/** Connected sync (DESIGN §5.1). */
export interface SyncOptions {
  cronExpression: string;
  jitterMinutes: number;
  timeoutMs: number;
  /** PEM file of the CA that signed the upstream's TLS certificate; null = the system trust store. */
  upstreamCaFile: string | null;
}

export const defaultHttpOptions: HttpOptions = {
  deviceRateLimitPerMinute: 6000, deviceBodyLimitBytes: 64 * 1024, authRateLimitPerMinute: 30, metricsOpenOnLoopback: true,
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SatelliteConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid configuration: ${formatZodIssues(parsed.error)}`);
  const e = parsed.data;
  const dataDir = resolve(e.SATELLITE_DATA_DIR);
  const hostNames = e.SATELLITE_HOSTNAMES !== undefined
    ? e.SATELLITE_HOSTNAMES.split(',').map((h) => h.trim()).filter((h) => h.length > 0)
    : defaultHostNames();
  if ((e.SATELLITE_TLS_CERT === undefined) !== (e.SATELLITE_TLS_KEY === undefined)) {
    throw new Error('invalid configuration: SATELLITE_TLS_CERT and SATELLITE_TLS_KEY must be set together');
  }
  return {
    dataDir,
    databaseFile: resolve(e.SATELLITE_DATABASE ?? `${dataDir}/satellite.db`),
    host: e.SATELLITE_HOST,
    port: e.SATELLITE_PORT,
    hostNames,
    name: e.SATELLITE_NAME,
    logLevel: e.SATELLITE_LOG_LEVEL,
    tlsCertFile: e.SATELLITE_TLS_CERT ?? null,
    tlsKeyFile: e.SATELLITE_TLS_KEY ?? null,
    http: {
      deviceRateLimitPerMinute: e.SATELLITE_DEVICE_RATE_LIMIT, deviceBodyLimitBytes: e.SATELLITE_DEVICE_BODY_LIMIT_KB * 1024,
      authRateLimitPerMinute: e.SATELLITE_AUTH_RATE_LIMIT, metricsOpenOnLoopback: e.SATELLITE_METRICS_LOOPBACK_OPEN === 'true',
    },
    timers: {
      ...defaultLicensingTimers,
      idCertificateValidityMs: e.SATELLITE_ID_CERT_DAYS * MS_PER_DAY,
      idCertificateRenewAfterMs: e.SATELLITE_ID_CERT_RENEW_DAYS * MS_PER_DAY,
      authorizationValidityMs: e.SATELLITE_AUTHORIZATION_DAYS * MS_PER_DAY,
      authorizationRenewAfterMs: e.SATELLITE_AUTHORIZATION_RENEW_DAYS * MS_PER_DAY,
      outOfComplianceReports: e.SATELLITE_OOC_REPORTS,
      clockSkewMs: e.SATELLITE_CLOCK_SKEW_HOURS * MS_PER_HOUR,
    },
    auth: {
      sessionIdleMs: e.SATELLITE_SESSION_IDLE_MINUTES * 60_000,
      sessionAbsoluteMs: e.SATELLITE_SESSION_MAX_HOURS * MS_PER_HOUR,
      accessTokenTtlMs: e.SATELLITE_ACCESS_TOKEN_TTL_SECONDS * 1000,
      maxFailedLogins: e.SATELLITE_LOGIN_MAX_FAILURES,
      lockoutMs: e.SATELLITE_LOGIN_LOCKOUT_MINUTES * 60_000,
    },
    connections: {
      maxConnections: e.SATELLITE_MAX_CONNECTIONS,
      maxConnectionsPerAddress: Math.min(e.SATELLITE_MAX_CONNECTIONS_PER_ADDRESS, e.SATELLITE_MAX_CONNECTIONS),
      tlsHandshakeTimeoutMs: e.SATELLITE_TLS_HANDSHAKE_TIMEOUT_SECONDS * 1000,
      headersTimeoutMs: e.SATELLITE_HEADERS_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: e.SATELLITE_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    },
    deviceCrypto: {
      workers: e.SATELLITE_CRYPTO_WORKERS ?? Math.max(1, availableParallelism() - 1),
      keyCacheSize: e.SATELLITE_DEVICE_KEY_CACHE,
    },
    checkpointWorker: e.SATELLITE_CHECKPOINT_WORKER === '1' || e.SATELLITE_CHECKPOINT_WORKER === 'true',
    readWorker: e.SATELLITE_READ_WORKER === '1' || e.SATELLITE_READ_WORKER === 'true',
    deviceReadWorker: e.SATELLITE_DEVICE_READ_WORKER === '1' || e.SATELLITE_DEVICE_READ_WORKER === 'true',
    backup: { cronExpression: e.SATELLITE_BACKUP_SCHEDULE ?? null, directory: resolve(e.SATELLITE_BACKUP_DIR ?? `${dataDir}/backups`), keep: e.SATELLITE_BACKUP_KEEP },
    sync: {
      cronExpression: e.SATELLITE_SYNC_SCHEDULE, jitterMinutes: e.SATELLITE_SYNC_JITTER_MINUTES,
      timeoutMs: e.SATELLITE_SYNC_TIMEOUT_SECONDS * 1000, upstreamCaFile: e.SATELLITE_UPSTREAM_CA ? resolve(e.SATELLITE_UPSTREAM_CA) : null,
    },
  };
}

/** A machine name that is not a valid DNS name (e.g. with "_") cannot go in a certificate; skip it by default. */
function defaultHostNames(): string[] {
  const own = hostname();
  const valid = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(own);
  return [...(valid && own !== 'localhost' ? [own] : []), 'localhost', '127.0.0.1', '::1'];
}
